using System.Collections.Immutable;
using Microsoft.AspNetCore.Http.HttpResults;
using OrleansLicensing.Contracts;
using OrleansLicensing.Gateway.Infrastructure;

namespace OrleansLicensing.Gateway.Apis;

/// <summary>Devices in projects (R-D*) and licenses bound to them (R-L2, R-L5, R-P6).</summary>
public static class DevicesApi
{
    public static ApiGroups MapDevicesApi(this ApiGroups groups)
    {
        var project = groups.Company.MapGroup("/projects/{pid}/devices").WithTags("Devices");
        project.MapPost(string.Empty, AddDevicesAsync).WithName("AddDevices")
            .WithSummary("Add devices to the project by MAC list, MAC range or order number (a result per device)")
            .ProducesErrors(ErrorCodes.InvalidMac, ErrorCodes.TooManyDevices).AllowExternalProjectRights();
        project.MapGet(string.Empty, ListDevicesAsync).WithName("ListDevices").WithSummary("MACs of the project's devices").AllowExternalProjectRights();

        var device = groups.Company.MapGroup("/devices/{mac}").WithTags("Devices");
        device.MapGet(string.Empty, GetDeviceAsync).WithName("GetDevice").WithSummary("A device of the company (or of a project it holds a right on) and its licenses")
            .ProducesErrors(ErrorCodes.InvalidMac).AllowExternalProjectRights();
        device.MapPost("/licenses", AddLicensesAsync).WithName("AddLicensesFromBalance")
            .WithSummary("Bind licenses from project balances to the device (all or nothing)")
            .ProducesErrors(ErrorCodes.InvalidMac, ErrorCodes.UnknownLicenseType, ErrorCodes.InvalidUnits, ErrorCodes.VersionNotOffered, ErrorCodes.InsufficientBalance,
                ErrorCodes.ConsistencyViolation, ErrorCodes.DeviceNotInProject, ErrorCodes.TransientConflict, ErrorCodes.WarrantyLimitExceeded, ErrorCodes.FloatingLicenseConflict,
                ErrorCodes.CreditNotAllowed, ErrorCodes.InsufficientSsc, ErrorCodes.SsaEndInPast, ErrorCodes.InvalidDate).AllowExternalProjectRights();
        device.MapPost("/licenses/move", MoveLicensesAsync).WithName("MoveLicenses")
            .WithSummary("Move all but warranty licenses to a device without licenses (right MoveLicenses, or the source device's RMA arrived at the vendor)")
            .ProducesErrors(ErrorCodes.InvalidMac, ErrorCodes.ConsistencyViolation, ErrorCodes.TargetHasLicenses, ErrorCodes.Conflict, ErrorCodes.TransientConflict);
        return groups;
    }

    public static async Task<Ok<AddDevicesResponse>> AddDevicesAsync(AddDevicesRequest request, CompanyCaller caller, IGrainFactory grains)
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
            wanted.AddRange(devices.Select(d => new DeviceAddRequest(Mac.Parse(d?.Mac).ToString(), Validate.OptionalText(d!.DeviceSecret, "deviceSecret", InputLimits.Text.DeviceSecret))));
        }
        else if (request.Range is { } range)
        {
            wanted.AddRange(Mac.Range(Mac.Parse(range.From), Mac.Parse(range.To), InputLimits.Items.DevicesPerAdd).Select(m => new DeviceAddRequest(m.ToString(), null)));
        }

        if (wanted.Count > InputLimits.Items.DevicesPerAdd)
        {
            throw new LicensingException(ErrorCodes.TooManyDevices, $"At most {InputLimits.Items.DevicesPerAdd} devices can be added at once; the request names {wanted.Count}.");
        }

        var orderNumber = request.OrderNumber is null ? null : Validate.Text(request.OrderNumber, "orderNumber", InputLimits.Text.OrderNumber);
        if (wanted.Count == 0 && orderNumber is null)
        {
            throw LicensingException.Validation("The request names no device.");
        }

        var results = await grains.GetGrain<IDeviceEnrollmentGrain>(0).AddAsync(caller.ProjectCompanyId!, caller.ProjectId!, [.. wanted], orderNumber);
        return TypedResults.Ok(new AddDevicesResponse([.. results.Select(r => new DeviceAddResultResponse(r.Mac, r.Status, r.Code))]));
    }

    public static async Task<Ok<string[]>> ListDevicesAsync(CompanyCaller caller, IGrainFactory grains) =>
        TypedResults.Ok((await grains.GetGrain<IProjectGrain>(caller.ProjectId!).ListDevicesAsync()).ToArray());

    public static Ok<DeviceResponse> GetDeviceAsync(CompanyCaller caller)
    {
        var view = caller.Device;
        return TypedResults.Ok(DeviceResponse.From(view));
    }

    /// <summary>R-L5: everything but warranty lots to a device without licenses; needs the MoveLicenses right.</summary>
    public static async Task<Ok<LotResponse[]>> MoveLicensesAsync(MoveLicensesRequest request, CompanyCaller caller, IdempotencyKey? idempotency, IGrainFactory grains)
    {
        var target = Mac.Parse(request.TargetMac).ToString();
        await EnsureMayMoveLicensesAsync(caller, grains);
        var moved = await grains.LedgerFor(caller.CompanyId).MoveLicensesAsync(caller.CompanyId, caller.Device.Mac, target, idempotency?.For(request));
        return TypedResults.Ok(moved.Select(LotResponse.From).ToArray());
    }

    /// <summary>R-L5, R-D7: the MoveLicenses right, or an RMA of the source device by this company that arrived at the vendor.</summary>
    private static async Task EnsureMayMoveLicensesAsync(CompanyCaller caller, IGrainFactory grains)
    {
        if (caller.Membership.EffectiveRights.Contains(CompanyRights.MoveLicenses))
        {
            return;
        }

        var rma = await grains.GetGrain<IRmaGrain>(caller.Device.Mac).GetAsync();
        if (rma is not { Status: RmaStatus.Arrived } || rma.CompanyId != caller.CompanyId)
        {
            throw new LicensingException(ErrorCodes.Forbidden, "Moving licenses needs the right MoveLicenses, unless the device's RMA has arrived at the vendor.");
        }
    }

    public static async Task<Ok<AddLicensesResponse>> AddLicensesAsync(AddLicensesRequest request, CompanyCaller caller, IdempotencyKey? idempotency, IGrainFactory grains, Catalog catalog)
    {
        var version = Validate.Text(request.Version, "version", InputLimits.Text.Version);
        catalog.GetVersion(version);
        var fromProjects = (request.FromProjects ?? []).Select(p => Validate.Id(p ?? string.Empty, "The project")).ToImmutableArray();
        var owner = caller.ProjectCompanyId ?? caller.CompanyId;
        if (owner != caller.CompanyId && !fromProjects.IsEmpty)
        {
            // R-P2, R-P6: a partner draws from the shared project's balance only, never from the owner's other projects.
            throw new LicensingException(ErrorCodes.Forbidden, "A company with rights on a project draws only from that project's balance; 'fromProjects' is not allowed.");
        }

        var explicitLicenses = request.WishedPorts is null || request.Licenses is { Count: > 0 }
            ? catalog.ValidateLicenseMap(request.Licenses)
            : ImmutableSortedDictionary.Create<string, int>(StringComparer.Ordinal);
        PackagePlan? plan = null;
        var licenses = explicitLicenses;
        if (request.WishedPorts is { } wishedPorts)
        {
            plan = await ProposePackagesAsync(wishedPorts, version, explicitLicenses, caller.Device, owner, fromProjects, grains, catalog);
            licenses = explicitLicenses.SetItems(plan.Licenses.Select(p => KeyValuePair.Create(p.Key, explicitLicenses.GetValueOrDefault(p.Key) + p.Value)));
        }

        var buyOnCredit = request.BuyOnCredit ?? false;
        var orderNumber = SsaApi.CreditOrderNumber(caller, buyOnCredit, request.OrderNumber);
        if (buyOnCredit && owner != caller.CompanyId)
        {
            throw new LicensingException(ErrorCodes.CreditNotAllowed, "A company with rights on a project does not buy on the owner's credit.");
        }

        var command = new AddLicensesCommand(owner, caller.Device.Mac, version, licenses, fromProjects, request.DryRun ?? false)
        {
            CountCurrent = request.CountCurrent ?? false,
            BuyOnCredit = buyOnCredit,
            OrderNumber = orderNumber,
            UserEmail = caller.Email,
            SsaEndDate = await SsaOptionAsync(request.SsaEndDate, caller.Device, grains),
            SsaExcludedTypes = [.. (request.SsaExcludedTypes ?? []).Select(type => catalog.TryGetLicenseType(type ?? string.Empty, out var t)
                ? t.Code
                : throw new LicensingException(ErrorCodes.UnknownLicenseType, $"'ssaExcludedTypes' names '{type}', which is not a license type."))],
        };
        var result = await grains.LedgerFor(owner).AddLicensesFromBalanceAsync(command, idempotency?.For(request));
        return TypedResults.Ok(AddLicensesResponse.From(result, plan is null ? null : new PackageProposalResponse(plan.Licenses, plan.Ports, plan.SscPerYear, plan.Lots)));
    }

    /// <summary>The SSA option's end date (R-L2): a date, or "project" for the SSA end of the device's project.</summary>
    private static async Task<DateOnly?> SsaOptionAsync(string? requested, DeviceView device, IGrainFactory grains)
    {
        if (requested is null)
        {
            return null;
        }

        if (requested == "project")
        {
            var project = device.ProjectId is null ? null : await grains.GetGrain<IProjectGrain>(device.ProjectId).GetAsync();
            return project?.SsaEndDate
                ?? throw LicensingException.Validation("'ssaEndDate' is \"project\", but the device's project has no SSA end date.");
        }

        return DateOnly.TryParseExact(requested, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var date)
            ? date
            : throw new LicensingException(ErrorCodes.InvalidDate, "'ssaEndDate' must be a date (yyyy-MM-dd) or \"project\".");
    }

    /// <summary>
    /// R-L3: the cheapest port packages for <paramref name="wishedPorts"/> from what the device's
    /// project and the named projects hold, within the device type's maxima (less what the device
    /// and the explicit licenses already take). The ledger then binds them all or nothing, so a
    /// balance that changed meanwhile is refused there, never half-used.
    /// </summary>
    private static async Task<PackagePlan> ProposePackagesAsync(
        int wishedPorts,
        string version,
        ImmutableSortedDictionary<string, int> explicitLicenses,
        DeviceView device,
        string owner,
        ImmutableArray<string> fromProjects,
        IGrainFactory grains,
        Catalog catalog)
    {
        if (wishedPorts < 1 || wishedPorts > InputLimits.Units.WishedPorts)
        {
            throw new LicensingException(ErrorCodes.InvalidUnits, $"'wishedPorts' must be between 1 and {InputLimits.Units.WishedPorts}, not {wishedPorts}.");
        }

        if (catalog.GetVersion(version).Number < catalog.GetVersion("V8").Number)
        {
            throw LicensingException.Validation("'wishedPorts' applies to V8 and later; V5 to V7 have no port packages.");
        }

        if (device.ProjectId is null)
        {
            throw new LicensingException(ErrorCodes.DeviceNotInProject, "The device is in no project, so no balance can be drawn from.");
        }

        var company = grains.GetGrain<ICompanyGrain>(owner);
        foreach (var project in fromProjects)
        {
            try
            {
                await company.EnsureOwnsProjectAsync(project);
            }
            catch (LicensingException e) when (e.Code == ErrorCodes.NotFound)
            {
                throw new LicensingException(ErrorCodes.Forbidden, $"Project '{project}' is not a project of this company; licenses are drawn only from the company's own projects.");
            }
        }

        var available = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var project in fromProjects.Prepend(device.ProjectId).Distinct())
        {
            foreach (var (type, units) in await grains.GetGrain<IProjectGrain>(project).GetBalanceAsync())
            {
                available[type] = available.GetValueOrDefault(type) + units;
            }
        }

        foreach (var (type, units) in explicitLicenses)
        {
            available[type] = available.GetValueOrDefault(type) - units;
        }

        Dictionary<string, int>? caps = null;
        if (device.DeviceType is { } deviceType && catalog.TryGetDeviceType(deviceType, out var limits))
        {
            caps = limits.Maxima.ToDictionary(
                m => m.Key,
                m => m.Value - device.Lots.Where(l => l.Type == m.Key).Sum(l => l.Units) - explicitLicenses.GetValueOrDefault(m.Key),
                StringComparer.Ordinal);
        }

        return PackageOptimiser.Cheapest(wishedPorts, PackageOptimiser.Options(catalog, version, available, caps))
            ?? throw new LicensingException(
                ErrorCodes.InsufficientBalance,
                $"No combination of port packages gives exactly {wishedPorts} ports from the balances of the device's project{(fromProjects.IsEmpty ? string.Empty : " and the named projects")} within the device's maxima.");
    }
}
