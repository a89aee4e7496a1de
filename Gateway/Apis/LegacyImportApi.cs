using System.Collections.Immutable;
using Microsoft.AspNetCore.Http.HttpResults;
using OrleansLicensing.Contracts;
using OrleansLicensing.Gateway.Infrastructure;

namespace OrleansLicensing.Gateway.Apis;

/// <summary>
/// The old license manager's data (R-I1..R-I3, docs/import.md): the vendor uploads the export in
/// parts and it loads as a durable process; a company admin claims an old account with its old
/// login, sees its group's balance and devices, and imports them into a project (a durable process
/// of ledger moves, minted with source Import); one MAC can be imported alone by its owner.
/// </summary>
public static class LegacyImportApi
{
    public const int MaxParts = 10_000;
    public const int MaxImportMacs = 200_000;
    public const int MaxDevicesPage = 500;
    public const int DefaultResults = 1_000;
    public const int MaxResults = 5_000;

    /// <summary>How long an import request waits for its process before answering 202 with the status URL.</summary>
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    public static ApiGroups MapLegacyImportApi(this ApiGroups groups)
    {
        groups.Vendor.MapPost("/import", UploadAsync).WithTags("Legacy import").WithName("UploadLegacyExport")
            .WithSummary("Upload one part of the old license manager's export; when all parts are in, it loads as a durable process (nothing is minted)")
            .ProducesErrors(ErrorCodes.InvalidMac, ErrorCodes.UnknownLicenseType, ErrorCodes.UnknownDeviceType, ErrorCodes.InvalidUnits, ErrorCodes.VersionNotOffered,
                ErrorCodes.ConsistencyViolation, ErrorCodes.FloatingLicenseConflict, ErrorCodes.WarrantyLimitExceeded, ErrorCodes.Conflict);
        groups.Vendor.MapGet("/import/{exportId}", GetUploadAsync).WithTags("Legacy import").WithName("GetLegacyExport")
            .WithSummary("How far an export's upload and load stand");

        var legacy = groups.Company.MapGroup("/legacy").WithTags("Legacy import");
        legacy.MapPost("/claims", ClaimAsync).WithName("ClaimLegacyAccount")
            .WithSummary("Claim an old account with its old login and password; the company then sees its group's balance and devices (admins only)")
            .RequireCompanyRight(CompanyRights.AdminOnly).ProducesErrors(ErrorCodes.LegacyCredentialsInvalid);
        legacy.MapGet("/claims", ListClaimsAsync).WithName("ListLegacyClaims")
            .WithSummary("The old groups the company claimed, with their balances (admins only)")
            .RequireCompanyRight(CompanyRights.AdminOnly);
        legacy.MapGet("/groups/{groupId}/devices", ListDevicesAsync).WithName("ListLegacyDevices")
            .WithSummary("A claimed group's old devices with their licenses, a page at a time (admins only)")
            .RequireCompanyRight(CompanyRights.AdminOnly);

        var project = groups.Company.MapGroup("/projects/{pid}/legacy").WithTags("Legacy import");
        project.MapPost("/imports", ImportAsync).WithName("ImportLegacy")
            .WithSummary("Import a claimed group's balance and selected (or all not yet imported) devices into the project; locks the group's balance against a second import")
            .Produces<LegacyImportResponse>(StatusCodes.Status200OK).Produces<LegacyImportResponse>(StatusCodes.Status202Accepted)
            .RequireCompanyRight(CompanyRights.AdminOnly).ProducesErrors(ErrorCodes.InvalidMac, ErrorCodes.Forbidden);
        project.MapGet("/imports/{importId}", GetImportAsync).WithName("GetLegacyImport")
            .WithSummary("An import's progress and per-device results; once done, the SSA quote when the project is under SSA (R-I3)")
            .RequireCompanyRight(CompanyRights.AdminOnly);
        project.MapPost("/devices", ImportOneAsync).WithName("ImportLegacyDevice")
            .WithSummary("Import one old device by its owner (proof: the device secret) without touching any old balance")
            .Produces<LegacyImportResponse>(StatusCodes.Status200OK).Produces<LegacyImportResponse>(StatusCodes.Status202Accepted)
            .RequireCompanyRight(CompanyRights.AdminOnly).ProducesErrors(ErrorCodes.InvalidMac, ErrorCodes.AlreadyImported, ErrorCodes.DeviceInOtherCompany, ErrorCodes.Forbidden);
        return groups;
    }

    public static async Task<Accepted<LegacyExportResponse>> UploadAsync(LegacyExportBody request, IGrainFactory grains, Catalog catalog)
    {
        var part = LegacyExportParser.Parse(request, catalog);
        var exportId = LegacyExportParser.ExportId(request.ExportId);
        await grains.GetGrain<ILegacyExportPartGrain>($"{exportId}/{part.Part}").StoreAsync(part);
        var status = await grains.GetGrain<ILegacyExportGrain>(exportId).PartStoredAsync(part.Part, part.Of);
        var url = $"{ApiGroups.Prefix}/vendor/import/{exportId}";
        return TypedResults.Accepted(url, LegacyExportResponse.From(status, url));
    }

    public static async Task<Ok<LegacyExportResponse>> GetUploadAsync(string exportId, IGrainFactory grains)
    {
        var id = LegacyExportParser.ExportId(exportId);
        var status = await grains.GetGrain<ILegacyExportGrain>(id).GetStatusAsync();
        if (status.Of == 0)
        {
            throw LicensingException.NotFound("The export");
        }

        return TypedResults.Ok(LegacyExportResponse.From(status, $"{ApiGroups.Prefix}/vendor/import/{id}"));
    }

    /// <summary>R-I2: the old login and password, verified against the export's hash; a wrong one says no more than that.</summary>
    public static async Task<Created<LegacyGroupResponse>> ClaimAsync(LegacyClaimRequest request, CompanyCaller caller, IGrainFactory grains)
    {
        var refused = new LicensingException(ErrorCodes.LegacyCredentialsInvalid, "The old login and password do not match an account of the old license manager.");
        var login = request.Login?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(login) || login.Length > LegacyExportParser.MaxText || string.IsNullOrEmpty(request.Password) || request.Password.Length > PasswordRules.MaxLength)
        {
            throw refused;
        }

        var groupId = await grains.GetGrain<ILegacyAccountGrain>(login).VerifyAsync(request.Password) ?? throw refused;
        var group = await grains.GetGrain<ILegacyGroupGrain>(groupId).GetAsync() ?? throw refused;
        await grains.GetGrain<ILegacyClaimsGrain>(caller.CompanyId).ClaimAsync(groupId, login);
        return TypedResults.Created($"{ApiGroups.Prefix}/companies/{caller.CompanyId}/legacy/groups/{groupId}/devices", LegacyGroupResponse.From(group));
    }

    public static async Task<Ok<LegacyGroupResponse[]>> ListClaimsAsync(CompanyCaller caller, IGrainFactory grains)
    {
        var claimed = await grains.GetGrain<ILegacyClaimsGrain>(caller.CompanyId).ListAsync();
        var views = await Task.WhenAll(claimed.Select(id => grains.GetGrain<ILegacyGroupGrain>(id).GetAsync()));
        return TypedResults.Ok(views.OfType<LegacyGroupView>().Select(LegacyGroupResponse.From).ToArray());
    }

    public static async Task<Ok<LegacyDevicesPage>> ListDevicesAsync(string groupId, CompanyCaller caller, IGrainFactory grains, int? offset = null, int? limit = null)
    {
        var id = await ClaimedGroupAsync(groupId, caller, grains);
        var skip = offset ?? 0;
        var take = limit ?? 100;
        if (skip < 0 || take is < 1 or > MaxDevicesPage)
        {
            throw LicensingException.Validation($"'offset' must be at least 0 and 'limit' 1 to {MaxDevicesPage}.");
        }

        var macs = await grains.GetGrain<ILegacyGroupGrain>(id).ListDevicesAsync();
        var page = await Task.WhenAll(macs.Skip(skip).Take(take).Select(mac => grains.GetGrain<ILegacyDeviceGrain>(mac).GetAsync()));
        return TypedResults.Ok(new LegacyDevicesPage(id, macs.Length, skip, [.. page.OfType<LegacyDeviceView>().Select(LegacyDeviceResponse.From)]));
    }

    /// <summary>R-I2: the group's balance (unless <c>includeBalance</c> is false) and the listed devices, or all of the group's not yet imported ones.</summary>
    public static async Task<Results<Ok<LegacyImportResponse>, Accepted<LegacyImportResponse>>> ImportAsync(LegacyImportRequest request, CompanyCaller caller, IGrainFactory grains)
    {
        var groupId = await ClaimedGroupAsync(request.GroupId, caller, grains);
        ImmutableArray<string> macs;
        if (request.AllDevices == true)
        {
            macs = await grains.GetGrain<ILegacyGroupGrain>(groupId).ListDevicesAsync();
        }
        else
        {
            if (request.Macs is { Count: > MaxImportMacs })
            {
                throw LicensingException.Validation($"'macs' may list at most {MaxImportMacs} devices.");
            }

            macs = [.. (request.Macs ?? []).Select(m => Mac.Parse(m).ToString()).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        }

        var plan = new LegacyImportPlan(caller.CompanyId, OwnProject(caller), groupId, request.IncludeBalance ?? true, macs);
        return await RunAsync(plan, caller, grains);
    }

    /// <summary>R-I2, one MAC by its owner: the device secret proves possession; no old balance is touched.</summary>
    public static async Task<Results<Ok<LegacyImportResponse>, Accepted<LegacyImportResponse>>> ImportOneAsync(LegacySingleImportRequest request, CompanyCaller caller, IGrainFactory grains)
    {
        var mac = Mac.Parse(request.Mac).ToString();
        var projectId = OwnProject(caller);
        var old = await grains.GetGrain<ILegacyDeviceGrain>(mac).GetAsync() ?? throw LicensingException.NotFound("The old device");
        if (old.Imported is not null)
        {
            throw new LicensingException(ErrorCodes.AlreadyImported, "This device was imported already.");
        }

        var hardware = await grains.GetGrain<IHardwareGrain>(mac).GetAsync();
        if (hardware is null || !Codes.SecretMatches(request.DeviceSecret, hardware.SecretHash))
        {
            throw new LicensingException(ErrorCodes.DeviceInOtherCompany, "Importing one device alone needs its device secret, which the device shows its administrator.");
        }

        var added = await grains.GetGrain<IDeviceGrain>(mac).AddToProjectAsync(caller.CompanyId, projectId, request.DeviceSecret);
        if (added.Status == DeviceAddStatus.Error && added.Code != ErrorCodes.AlreadyInCompany)
        {
            throw new LicensingException(added.Code ?? ErrorCodes.Conflict, $"The device could not be added to the project ({added.Code}).");
        }

        return await RunAsync(new LegacyImportPlan(caller.CompanyId, projectId, null, false, [mac]), caller, grains);
    }

    /// <param name="offset">The first per-device result to return (results are in MAC order).</param>
    /// <param name="limit">How many per-device results to return, 1 to 5,000 (default 1,000); <c>counts</c> covers them all.</param>
    public static async Task<Ok<LegacyImportResponse>> GetImportAsync(string importId, CompanyCaller caller, IGrainFactory grains, int? offset = null, int? limit = null)
    {
        var id = Validate.Id(importId, "The import");
        var (skip, take) = (offset ?? 0, limit ?? DefaultResults);
        if (skip < 0 || take is < 1 or > MaxResults)
        {
            throw LicensingException.Validation($"'offset' must be at least 0 and 'limit' 1 to {MaxResults}.");
        }

        var outcome = await grains.GetGrain<ILegacyImportProcessGrain>(id).GetOutcomeAsync(caller.CompanyId, skip, take);
        if (outcome.Plan.ProjectId != caller.ProjectId)
        {
            throw LicensingException.NotFound("The import");
        }

        return TypedResults.Ok(await ResponseAsync(outcome, caller, grains));
    }

    private static async Task<Results<Ok<LegacyImportResponse>, Accepted<LegacyImportResponse>>> RunAsync(LegacyImportPlan plan, CompanyCaller caller, IGrainFactory grains)
    {
        var importId = Codes.NewId();
        var process = grains.GetGrain<ILegacyImportProcessGrain>(importId);
        await process.StartAsync(plan);
        var deadline = DateTime.UtcNow + Wait;
        var outcome = await process.GetOutcomeAsync(plan.CompanyId, 0, DefaultResults);
        while (outcome.Process.State == ProcessState.Running && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
            outcome = await process.GetOutcomeAsync(plan.CompanyId, 0, DefaultResults);
        }

        var response = await ResponseAsync(outcome, caller, grains);
        return outcome.Process.State == ProcessState.Running ? TypedResults.Accepted(response.Status.StatusUrl, response) : TypedResults.Ok(response);
    }

    /// <summary>
    /// R-I3: an import never extends SSA; once it is done, a project under SSA gets the quote of
    /// <c>PUT …/ssa</c> (a dry run for today up to the project's end date), which lists the imported
    /// lots with their price, to confirm through that route.
    /// </summary>
    private static async Task<LegacyImportResponse> ResponseAsync(LegacyImportOutcome outcome, CompanyCaller caller, IGrainFactory grains)
    {
        var url = $"{ApiGroups.Prefix}/companies/{caller.CompanyId}/projects/{outcome.Plan.ProjectId}/legacy/imports/{outcome.Process.ProcessId}";
        SsaResponse? quote = null;
        string? quoteUnavailable = null;
        var project = await grains.GetGrain<IProjectGrain>(outcome.Plan.ProjectId).GetAsync();
        if (outcome.Process.State == ProcessState.Completed && project.SsaEndDate is { } end)
        {
            try
            {
                var command = new SsaCommand(caller.CompanyId, outcome.Plan.ProjectId, end, null, DryRun: true, [], false, null, caller.Email);
                quote = SsaResponse.From(await grains.LedgerFor(caller.CompanyId).SetSsaAsync(command));
            }
            catch (LicensingException e) when (e.Code is ErrorCodes.SsaEndInPast or ErrorCodes.Conflict)
            {
                // An SSA that ended offers nothing to extend; a project too large for one quote says why.
                quoteUnavailable = e.Code == ErrorCodes.SsaEndInPast ? null : e.Message;
            }
        }

        return LegacyImportResponse.From(outcome, JoinStatusResponse.From(outcome.Process, url), project.SsaEndDate, quote, quoteUnavailable);
    }

    /// <summary>Imports go into the company's own projects only (not into a project shared by external rights).</summary>
    private static string OwnProject(CompanyCaller caller) =>
        caller.ProjectCompanyId is null || caller.ProjectCompanyId == caller.CompanyId
            ? caller.ProjectId!
            : throw LicensingException.Forbidden("Old licenses are imported only into the company's own projects.");

    private static async Task<string> ClaimedGroupAsync(string? groupId, CompanyCaller caller, IGrainFactory grains)
    {
        var id = Validate.Text(groupId, "groupId", LegacyExportParser.MaxText);
        return await grains.GetGrain<ILegacyClaimsGrain>(caller.CompanyId).HasClaimedAsync(id) ? id : throw LicensingException.NotFound("A claimed old group");
    }
}
