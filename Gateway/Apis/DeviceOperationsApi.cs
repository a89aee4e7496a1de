using System.Collections.Immutable;
using Microsoft.AspNetCore.Http.HttpResults;
using OrleansLicensing.Contracts;
using OrleansLicensing.Gateway.Infrastructure;

namespace OrleansLicensing.Gateway.Apis;

/// <summary>License operations on devices beside adding and moving lots: warranty extensions (R-L7), the V7 floating license (R-L6), test mode (R-L9).</summary>
public static class DeviceOperationsApi
{
    /// <summary>The most devices one project-wide warranty request extends (one ledger transaction each, in one request).</summary>
    public const int MaxWarrantyDevices = 1_000;

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
        device.MapPost("/test-license", DownloadTestLicenseAsync).WithName("DownloadTestLicense")
            .WithSummary("Download the device's one test license (version, slave or not, PBX units): valid three calendar months from the first download, downloadable again within them; uses no balance")
            .ProducesErrors(ErrorCodes.InvalidMac, ErrorCodes.VersionNotOffered, ErrorCodes.InvalidUnits, ErrorCodes.TestLicenseUsed).AllowExternalProjectRights();
        device.MapGet("/test-license", GetTestLicenseAsync).WithName("GetTestLicense")
            .WithSummary("The device's test license as issued, with its validity and whether it expired")
            .ProducesErrors(ErrorCodes.InvalidMac).AllowExternalProjectRights();

        device.MapPost("/warranty", AddWarrantyAsync).WithName("AddWarranty")
            .WithSummary("Extend the device's warranty by whole years from the project's balance: Warranty-Early within 30 days of shipping, Warranty later; at most 4 years in total")
            .ProducesErrors(ErrorCodes.InvalidMac, ErrorCodes.InvalidUnits, ErrorCodes.InsufficientBalance, ErrorCodes.WarrantyLimitExceeded, ErrorCodes.ConsistencyViolation,
                ErrorCodes.DeviceNotInProject, ErrorCodes.TransientConflict).AllowExternalProjectRights();
        groups.Company.MapPost("/projects/{pid}/warranty", AddProjectWarrantyAsync).WithTags("Devices").WithName("AddProjectWarranty")
            .WithSummary("Extend the warranty of every device of the project by whole years (a result per device)")
            .ProducesErrors(ErrorCodes.InvalidUnits, ErrorCodes.Conflict).AllowExternalProjectRights();

        device.MapPost("/floating-license", AddFloatingLicenseAsync).WithName("AddFloatingLicense")
            .WithSummary("Bind the V7 floating license (slave PBX) from the project's balance; not with V7 PBX licenses on the device")
            .ProducesErrors(ErrorCodes.InvalidMac, ErrorCodes.FloatingLicenseConflict, ErrorCodes.ConsistencyViolation, ErrorCodes.InsufficientBalance,
                ErrorCodes.DeviceNotInProject, ErrorCodes.TransientConflict).AllowExternalProjectRights();
        device.MapDelete("/floating-license", DeleteFloatingLicenseAsync).WithName("DeleteFloatingLicense")
            .WithSummary("Remove the V7 floating license from the device; it goes to the free pool of the device's project")
            .ProducesErrors(ErrorCodes.InvalidMac, ErrorCodes.DeviceNotInProject, ErrorCodes.TransientConflict).AllowExternalProjectRights();
        return groups;
    }

    /// <summary>R-L7 for one device.</summary>
    public static async Task<Ok<WarrantyResponse>> AddWarrantyAsync(WarrantyRequest request, CompanyCaller caller, IdempotencyKey? idempotency, IGrainFactory grains, Catalog catalog)
    {
        var owner = caller.ProjectCompanyId ?? caller.CompanyId;
        var result = await grains.LedgerFor(owner).AddWarrantyAsync(owner, caller.Device.Mac, request.Years, idempotency?.For(request));
        return TypedResults.Ok(WarrantyResponse.From(result, catalog));
    }

    /// <summary>
    /// R-L7 for every device of the project, one ledger move per device, so one device at its
    /// limit does not stop the others. With an Idempotency-Key each device's move carries a key of
    /// its own, so a retried request extends no device twice.
    /// </summary>
    public static async Task<Ok<ProjectWarrantyResponse>> AddProjectWarrantyAsync(WarrantyRequest request, CompanyCaller caller, IdempotencyKey? idempotency, IGrainFactory grains, Catalog catalog)
    {
        WarrantyRules.CheckYears(request.Years);
        var owner = caller.ProjectCompanyId ?? caller.CompanyId;
        var devices = await grains.GetGrain<IProjectGrain>(caller.ProjectId!).ListDevicesAsync();
        if (devices.Length > MaxWarrantyDevices)
        {
            throw new LicensingException(ErrorCodes.Conflict, $"The project has {devices.Length} devices; one request extends at most {MaxWarrantyDevices}. Extend them per device or in smaller projects.");
        }

        var token = idempotency?.For(request);
        var ledger = grains.LedgerFor(owner);
        var results = new List<DeviceWarrantyResult>(devices.Length);
        foreach (var mac in devices.Order(StringComparer.Ordinal))
        {
            try
            {
                var added = await ledger.AddWarrantyAsync(owner, mac, request.Years, token is null ? null : token with { Scope = token.Scope + "-" + mac });
                var response = WarrantyResponse.From(added, catalog);
                results.Add(new DeviceWarrantyResult(mac, DeviceAddStatus.Added, null, response.Type, response.WarrantyYears));
            }
            catch (LicensingException e) when (e.Code is not (ErrorCodes.TransientConflict or ErrorCodes.StorageUnavailable))
            {
                results.Add(new DeviceWarrantyResult(mac, DeviceAddStatus.Error, e.Code, null, null));
            }
        }

        return TypedResults.Ok(new ProjectWarrantyResponse(caller.ProjectId!, request.Years, results));
    }

    /// <summary>R-L6: one unit of the catalog's floating license type, bound in V7 from the project's balance.</summary>
    public static async Task<Ok<AddLicensesResponse>> AddFloatingLicenseAsync(CompanyCaller caller, IdempotencyKey? idempotency, IGrainFactory grains, Catalog catalog)
    {
        var owner = caller.ProjectCompanyId ?? caller.CompanyId;
        var floating = FloatingType(catalog);
        var command = new AddLicensesCommand(owner, caller.Device.Mac, floating.MinVersion, ImmutableSortedDictionary.Create<string, int>(StringComparer.Ordinal).Add(floating.Code, 1), [], DryRun: false);
        var result = await grains.LedgerFor(owner).AddLicensesFromBalanceAsync(command, idempotency?.For(command));
        return TypedResults.Ok(AddLicensesResponse.From(result));
    }

    /// <summary>R-L6: the floating lot leaves the device for the free pool of its project (units are kept, R-C2).</summary>
    public static async Task<Ok<LotResponse[]>> DeleteFloatingLicenseAsync(CompanyCaller caller, IdempotencyKey? idempotency, IGrainFactory grains, Catalog catalog)
    {
        var type = FloatingType(catalog).Code;
        var lotIds = caller.Device.Lots.Where(l => l.Type == type).Select(l => l.LotId).ToImmutableArray();
        if (lotIds.IsEmpty)
        {
            throw LicensingException.NotFound("A floating license on the device");
        }

        var owner = caller.ProjectCompanyId ?? caller.CompanyId;
        var freed = await grains.LedgerFor(owner).ReturnToFreePoolAsync(owner, caller.Device.Mac, lotIds, idempotency?.For(lotIds.ToArray()));
        return TypedResults.Ok(freed.Select(LotResponse.From).ToArray());
    }

    /// <summary>The catalog's floating license type (R-L6), bound in its one version (V7).</summary>
    private static LicenseType FloatingType(Catalog catalog) =>
        catalog.LicenseTypes.Single(t => t.Floating);

    /// <summary>R-L8: the request is checked here; the device's test license grain decides first download, again, or used.</summary>
    public static async Task<Ok<TestLicenseResponse>> DownloadTestLicenseAsync(TestLicenseBody request, CompanyCaller caller, IGrainFactory grains, Catalog catalog)
    {
        var version = catalog.GetVersion(Validate.Text(request.Version, "version", InputLimits.Text.Version)).Version;
        var slave = request.Slave ?? false;
        if (slave ? request.PbxUnits is not (null or 0) : request.PbxUnits is not (>= 1 and <= InputLimits.Units.TestLicensePbx))
        {
            throw new LicensingException(ErrorCodes.InvalidUnits, slave
                ? "A slave's test license names no PBX units."
                : $"'pbxUnits' must be 1 to {InputLimits.Units.TestLicensePbx} for a device that is not a slave.");
        }

        var issued = await grains.GetGrain<IDeviceTestLicenseGrain>(caller.Device.Mac).DownloadAsync(new TestLicenseRequest(version, slave, slave ? null : request.PbxUnits));
        return TypedResults.Ok(TestLicenseResponse.From(caller.Device.Mac, issued));
    }

    public static async Task<Ok<TestLicenseResponse>> GetTestLicenseAsync(CompanyCaller caller, IGrainFactory grains) =>
        TypedResults.Ok(TestLicenseResponse.From(caller.Device.Mac, await grains.GetGrain<IDeviceTestLicenseGrain>(caller.Device.Mac).GetAsync()
            ?? throw LicensingException.NotFound("A test license of the device")));

    public static async Task<Ok<TestModeResponse>> GetTestModeAsync(CompanyCaller caller, IGrainFactory grains) =>
        TypedResults.Ok(TestModeResponse.From(caller.Device.Mac, await grains.GetGrain<IDeviceTestModeGrain>(caller.Device.Mac).GetAsync()));

    public static async Task<Ok<TestModeResponse>> SwitchTestModeOnAsync(CompanyCaller caller, IGrainFactory grains) =>
        TypedResults.Ok(TestModeResponse.From(caller.Device.Mac, await grains.GetGrain<IDeviceTestModeGrain>(caller.Device.Mac).SwitchOnAsync()));

    public static async Task<Ok<TestModeResponse>> SwitchTestModeOffAsync(CompanyCaller caller, IGrainFactory grains) =>
        TypedResults.Ok(TestModeResponse.From(caller.Device.Mac, await grains.GetGrain<IDeviceTestModeGrain>(caller.Device.Mac).SwitchOffAsync()));
}

/// <param name="TestModeUntil">When test mode ends (R-L9); null when it is off.</param>
public sealed record TestModeResponse(string Mac, DateTimeOffset? TestModeUntil)
{
    public static TestModeResponse From(string mac, DeviceTestMode testMode) => new(mac, testMode.Until);
}

/// <param name="Version">The software version of the test license, e.g. <c>V11</c>.</param>
/// <param name="Slave">True when the device runs as a slave (no PBX units of its own).</param>
/// <param name="PbxUnits">PBX units, 1 to 10,000, for a device that is not a slave.</param>
public sealed record TestLicenseBody(string? Version, bool? Slave = null, int? PbxUnits = null);

/// <param name="FirstDownloadAt">The first download, which started the three months (R-L8).</param>
/// <param name="ValidUntil">The end of the three calendar months; the poll carries the license until then.</param>
/// <param name="Expired">True once the three months are over; a new request is refused with <c>TestLicenseUsed</c>.</param>
public sealed record TestLicenseResponse(string Mac, string Version, bool Slave, int? PbxUnits, DateTimeOffset FirstDownloadAt, DateTimeOffset ValidUntil, bool Expired)
{
    public static TestLicenseResponse From(string mac, DeviceTestLicense license) =>
        new(mac, license.License.Version, license.License.Slave, license.License.PbxUnits, license.FirstDownloadAt, license.ValidUntil, license.Expired);
}

/// <param name="Years">Whole years of warranty extension to add (1 to 4; at most 4 per device in total).</param>
public sealed record WarrantyRequest(int Years);

/// <param name="Type">The warranty type bound: <c>Warranty-Early</c> within 30 days of the ship date, else <c>Warranty</c>.</param>
/// <param name="WarrantyYears">Years of warranty extension the device holds now, both types together.</param>
public sealed record WarrantyResponse(string Mac, string Type, int Years, int WarrantyYears, IReadOnlyList<LotResponse> Licenses, IReadOnlyList<DebitResponse> Debited)
{
    public static WarrantyResponse From(AddLicensesResult result, Catalog catalog)
    {
        var debited = result.Debited.SelectMany(d => d.Licenses).ToArray();
        var warranty = result.Lots.Where(l => catalog.TryGetLicenseType(l.Type, out var t) && t.Category == LicenseCategory.Warranty).ToArray();
        return new WarrantyResponse(
            result.Mac,
            debited.Select(d => d.Key).Single(),
            debited.Sum(d => d.Value),
            warranty.Sum(l => l.Units),
            result.Lots.Select(LotResponse.From).ToArray(),
            result.Debited.Select(d => new DebitResponse(d.ProjectId, d.Licenses)).ToArray());
    }
}

/// <param name="Status"><c>added</c> or <c>error</c> (with <c>code</c>, e.g. <c>WarrantyLimitExceeded</c>, <c>InsufficientBalance</c>).</param>
public sealed record DeviceWarrantyResult(string Mac, string Status, string? Code, string? Type, int? WarrantyYears);

public sealed record ProjectWarrantyResponse(string ProjectId, int Years, IReadOnlyList<DeviceWarrantyResult> Results);
