using Microsoft.AspNetCore.Http.HttpResults;
using OrleansLicensing.Contracts;
using OrleansLicensing.Gateway.Infrastructure;

namespace OrleansLicensing.Gateway.Apis;

/// <summary>License operations on one device beside adding and moving lots: test mode (R-L9).</summary>
public static class DeviceOperationsApi
{
    public static ApiGroups MapDeviceOperationsApi(this ApiGroups groups)
    {
        var device = groups.Company.MapGroup("/devices/{mac}").WithTags("Devices");
        device.MapGet("/test-mode", GetTestModeAsync).WithName("GetTestMode")
            .WithSummary("The device's test mode: on until `testModeUntil`, off when it is null")
            .ProducesErrors(ErrorCodes.InvalidMac).AllowExternalProjectRights();
        device.MapPost("/test-mode", SwitchTestModeOnAsync).WithName("SwitchTestModeOn")
            .WithSummary("Switch test mode on for eight hours (again: the eight hours restart); the device counts as fully licensed meanwhile")
            .ProducesErrors(ErrorCodes.InvalidMac).AllowExternalProjectRights();
        device.MapDelete("/test-mode", SwitchTestModeOffAsync).WithName("SwitchTestModeOff")
            .WithSummary("Switch test mode off before its eight hours are over")
            .ProducesErrors(ErrorCodes.InvalidMac).AllowExternalProjectRights();
        return groups;
    }

    public static async Task<Ok<TestModeResponse>> GetTestModeAsync(CompanyCaller caller, IGrainFactory grains) =>
        TypedResults.Ok(TestModeResponse.From(caller.Device.Mac, await grains.GetGrain<IDeviceTestModeGrain>(caller.Device.Mac).GetAsync()));

    public static async Task<Ok<TestModeResponse>> SwitchTestModeOnAsync(CompanyCaller caller, IGrainFactory grains) =>
        TypedResults.Ok(TestModeResponse.From(caller.Device.Mac, await grains.GetGrain<IDeviceTestModeGrain>(caller.Device.Mac).SwitchOnAsync(caller.Email)));

    public static async Task<Ok<TestModeResponse>> SwitchTestModeOffAsync(CompanyCaller caller, IGrainFactory grains) =>
        TypedResults.Ok(TestModeResponse.From(caller.Device.Mac, await grains.GetGrain<IDeviceTestModeGrain>(caller.Device.Mac).SwitchOffAsync(caller.Email)));
}

/// <param name="TestModeUntil">When test mode ends (R-L9); null when it is off.</param>
public sealed record TestModeResponse(string Mac, DateTimeOffset? TestModeUntil)
{
    public static TestModeResponse From(string mac, DeviceTestMode testMode) => new(mac, testMode.Until);
}
