using System.Collections.Immutable;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using OrleansLicensing.Contracts;
using OrleansLicensing.Gateway.Infrastructure;
using OrleansLicensing.Grains.Domain;

namespace OrleansLicensing.Gateway.Apis;

/// <summary>Devices in projects (R-D*) and licenses bound to them (R-L2, R-P6).</summary>
public static class DevicesApi
{
    public static IEndpointRouteBuilder MapDevicesApi(this IEndpointRouteBuilder routes)
    {
        var project = routes.MapGroup("/api/v1/companies/{cid}/projects/{pid}/devices").WithTags("Devices").RequireAuthorization(BearerAuthenticationHandler.UserPolicy);
        project.MapPost("/", AddDevicesAsync).WithName("AddDevices").WithProblems(400, 401, 403, 404, 413, 415);
        project.MapGet("/", ListDevicesAsync).WithName("ListDevices").WithProblems(401, 403, 404);

        var device = routes.MapGroup("/api/v1/companies/{cid}/devices/{mac}").WithTags("Devices").RequireAuthorization(BearerAuthenticationHandler.UserPolicy);
        device.MapGet("/", GetDeviceAsync).WithName("GetDevice").WithProblems(400, 401, 403, 404);
        device.MapPost("/licenses", AddLicensesAsync).WithName("AddLicensesFromBalance").WithProblems(400, 401, 403, 404, 409, 413, 415, 422, 503);
        device.MapPost("/licenses/move", MoveLicensesAsync).WithName("MoveLicenses").WithProblems(400, 401, 403, 404, 409, 413, 415, 422, 503);
        return routes;
    }

    public static async Task<Ok<AddDevicesResponse>> AddDevicesAsync(string cid, string pid, AddDevicesRequest request, ClaimsPrincipal user, IGrainFactory grains)
    {
        var forms = (request.Macs is not null ? 1 : 0) + (request.Range is not null ? 1 : 0) + (request.OrderNumber is not null ? 1 : 0) + (request.Devices is not null ? 1 : 0);
        if (forms != 1)
        {
            throw LicensingException.Validation("Give exactly one of 'macs', 'range', 'orderNumber' or 'devices'.");
        }

        // R-F1/R-F2: every address is checked before anything changes.
        var wanted = new List<DeviceAddRequest>();
        if (request.Macs is { } macs)
        {
            wanted.AddRange(macs.Select(m => new DeviceAddRequest(Mac.Parse(m).ToString(), null)));
        }
        else if (request.Devices is { } devices)
        {
            wanted.AddRange(devices.Select(d => new DeviceAddRequest(Mac.Parse(d?.Mac).ToString(), Validate.OptionalText(d!.DeviceSecret, "deviceSecret", 128))));
        }
        else if (request.Range is { } range)
        {
            wanted.AddRange(Mac.Range(Mac.Parse(range.From), Mac.Parse(range.To), Validate.MaxBatchDevices).Select(m => new DeviceAddRequest(m.ToString(), null)));
        }

        if (wanted.Count > Validate.MaxBatchDevices)
        {
            throw new LicensingException(ErrorCodes.TooManyDevices, $"At most {Validate.MaxBatchDevices} devices can be added at once; the request names {wanted.Count}.");
        }

        if (wanted.Count == 0 && request.OrderNumber is null)
        {
            throw LicensingException.Validation("The request names no device.");
        }

        await Access.ProjectAsync(grains, user, cid, pid);
        if (request.OrderNumber is { } orderNumber)
        {
            var order = await grains.GetGrain<IHardwareOrderGrain>(Validate.Text(orderNumber, "orderNumber", 100)).ListAsync();
            if (order.IsEmpty)
            {
                throw LicensingException.NotFound($"Order '{orderNumber}'");
            }

            wanted.AddRange(order.Select(mac => new DeviceAddRequest(mac, null)));
        }

        var results = new List<DeviceAddResultResponse>(wanted.Count);
        foreach (var device in wanted.DistinctBy(d => d.Mac))
        {
            var result = await grains.GetGrain<IDeviceGrain>(device.Mac).AddToProjectAsync(cid, pid, device.DeviceSecret);
            results.Add(new DeviceAddResultResponse(result.Mac, result.Status, result.Code));
        }

        return TypedResults.Ok(new AddDevicesResponse(results));
    }

    public static async Task<Ok<string[]>> ListDevicesAsync(string cid, string pid, ClaimsPrincipal user, IGrainFactory grains)
    {
        var project = await Access.ProjectAsync(grains, user, cid, pid);
        return TypedResults.Ok((await project.ListDevicesAsync()).ToArray());
    }

    public static async Task<Ok<DeviceResponse>> GetDeviceAsync(string cid, string mac, ClaimsPrincipal user, IGrainFactory grains)
    {
        var (_, view) = await Access.DeviceAsync(grains, user, cid, mac);
        return TypedResults.Ok(new DeviceResponse(view.Mac, view.DeviceType, view.ProjectId, view.Name, view.Comment, view.Lots.Select(LotResponse.From).ToArray(), view.Rma));
    }

    /// <summary>R-L5: everything but warranty lots to a device without licenses; needs the MoveLicenses right.</summary>
    public static async Task<Ok<LotResponse[]>> MoveLicensesAsync(string cid, string mac, MoveLicensesRequest request, ClaimsPrincipal user, HttpContext context, IGrainFactory grains)
    {
        var target = Mac.Parse(request.TargetMac).ToString();
        await Access.CompanyAsync(grains, user, cid, CompanyRights.MoveLicenses);
        var (_, source) = await Access.DeviceAsync(grains, user, cid, mac);
        var moved = await grains.GetGrain<ILedgerGrain>(0).MoveLicensesAsync(cid, source.Mac, target, Idempotency.From(context, user, request));
        return TypedResults.Ok(moved.Select(LotResponse.From).ToArray());
    }

    public static async Task<Ok<AddLicensesResponse>> AddLicensesAsync(string cid, string mac, AddLicensesRequest request, ClaimsPrincipal user, HttpContext context, IGrainFactory grains, Catalog catalog)
    {
        var licenses = catalog.ValidateLicenseMap(request.Licenses);
        var version = Validate.Text(request.Version, "version", 8);
        catalog.GetVersion(version);
        var fromProjects = (request.FromProjects ?? []).Select(p => Validate.Id(p ?? string.Empty, "The project")).ToImmutableArray();
        var (_, device) = await Access.DeviceAsync(grains, user, cid, mac);

        var result = await grains.GetGrain<ILedgerGrain>(0).AddLicensesFromBalanceAsync(
            new AddLicensesCommand(cid, device.Mac, version, licenses, fromProjects, request.DryRun ?? false),
            Idempotency.From(context, user, request));
        return TypedResults.Ok(new AddLicensesResponse(
            result.Mac,
            result.Lots.Select(LotResponse.From).ToArray(),
            result.Debited.Select(d => new DebitResponse(d.ProjectId, d.Licenses)).ToArray()));
    }
}
