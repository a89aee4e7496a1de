using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using OrleansLicensing.Contracts;
using OrleansLicensing.Gateway.Infrastructure;

namespace OrleansLicensing.Gateway.Apis;

/// <summary>
/// Devices as members of projects (R-D4 name and comment, R-D5 remove, R-D6 move between projects),
/// the status check of a device outside the company, RMA (R-D7) for companies and the vendor, and
/// the vendor's list of an order's devices (R-D1).
/// </summary>
public static class DeviceAdminApi
{
    private const int OrderReadParallelism = 32;

    public static ApiGroups MapDeviceAdminApi(this ApiGroups groups)
    {
        var device = groups.Company.MapGroup("/devices/{mac}").WithTags("Devices");
        device.MapPatch(string.Empty, UpdateDeviceAsync).WithName("UpdateDevice")
            .WithSummary("Change the device's name and/or comment (an empty string clears); a name may not look like a MAC or an IPEI")
            .ProducesErrors(ErrorCodes.InvalidMac, ErrorCodes.InvalidDeviceName);
        device.MapDelete(string.Empty, RemoveDeviceAsync).WithName("RemoveDevice")
            .WithSummary("Remove the device from its project; its licenses stay on it, and the company can add it again by MAC alone")
            .ProducesErrors(ErrorCodes.InvalidMac, ErrorCodes.TransientConflict);
        device.MapPost("/rma", RequestRmaAsync).WithName("RequestRma")
            .WithSummary("Request RMA for the device; once the vendor marks its arrival, its licenses move without the MoveLicenses right")
            .ProducesErrors(ErrorCodes.InvalidMac, ErrorCodes.InvalidRmaState);

        groups.Company.MapPost("/projects/{pid}/devices/move", MoveDevicesAsync).WithTags("Devices").WithName("MoveDevices")
            .WithSummary("Move devices of the company into this project; into a project under SSA their SSA licenses are quoted to its end date (dryRun previews, else paid from its SSC balance or on credit)")
            .ProducesErrors(ErrorCodes.InvalidMac, ErrorCodes.TooManyDevices, ErrorCodes.QuoteNotConfirmable, ErrorCodes.InsufficientSsc, ErrorCodes.CreditNotAllowed, ErrorCodes.TransientConflict);
        groups.Company.MapGet("/device-status/{deviceMac}", CheckDeviceStatusAsync).WithTags("Devices").WithName("CheckDeviceStatus")
            .RequireCompanyRight(CompanyRights.CheckDeviceStatus)
            .WithSummary("Licenses, SSA end and warranty end of any registered device (right CheckDeviceStatus); nothing about its owner")
            .ProducesErrors(ErrorCodes.InvalidMac);
        groups.Company.MapGet("/rma", ListRmaAsync).WithTags("Devices").WithName("ListRmaDevices")
            .WithSummary("The company's RMA devices: requested, arrived at the vendor (licenses movable) and reshipped");

        var vendor = groups.Vendor.WithTags("Vendor");
        vendor.MapPost("/rma/{mac}/arrived", RmaArrivedAsync).WithName("RmaArrived")
            .WithSummary("Mark an RMA device as arrived: its licenses then move without the MoveLicenses right")
            .ProducesErrors(ErrorCodes.InvalidMac, ErrorCodes.InvalidRmaState);
        vendor.MapPost("/rma/{mac}/reship", RmaReshipAsync).WithName("RmaReship")
            .WithSummary("Reship an arrived RMA device: licenses still on it (but warranty) go to the free pool of the company's project Freed_RMA_licenses, and it leaves the company")
            .ProducesErrors(ErrorCodes.InvalidMac, ErrorCodes.InvalidRmaState, ErrorCodes.TransientConflict);
        vendor.MapGet("/orders/{orderNumber}/devices", ListOrderDevicesAsync).WithName("ListOrderDevices")
            .WithSummary("The devices registered under an order number: JSON, or CSV with Accept: text/csv (never secrets)")
            .Produces<OrderDeviceResponse[]>(StatusCodes.Status200OK, "application/json", "text/csv");

        groups.Device.MapPost("/claim", ClaimAsync).WithTags("Device").WithName("ClaimDevice")
            .WithSummary("The device (its MAC and secret) names the company that may add it without the secret, for 7 days, once (R-D2)")
            .RequireDeviceCredentials()
            .ProducesErrors(ErrorCodes.InvalidMac, ErrorCodes.Unauthorized);
        return groups;
    }

    public static async Task<Ok<DeviceResponse>> UpdateDeviceAsync(UpdateDeviceRequest request, CompanyCaller caller, IGrainFactory grains)
    {
        var name = request.Name is null ? null : Validate.OptionalText(request.Name, "name", InputLimits.Text.DeviceName) ?? string.Empty;
        var comment = request.Comment is null ? null : Validate.OptionalText(request.Comment, "comment", InputLimits.Text.DeviceComment) ?? string.Empty;
        if (name is null && comment is null)
        {
            throw LicensingException.Validation("Give 'name' and/or 'comment'.");
        }

        if (!string.IsNullOrEmpty(name) && DeviceNames.LooksLikeIdentity(name))
        {
            throw new LicensingException(ErrorCodes.InvalidDeviceName, $"'{name}' looks like a MAC or an IPEI and would be confused with a device identity; choose another name.");
        }

        var view = await grains.GetGrain<IDeviceGrain>(caller.Device.Mac).UpdateDetailsAsync(caller.CompanyId, name, comment);
        return TypedResults.Ok(DeviceResponseOf(view));
    }

    public static async Task<NoContent> RemoveDeviceAsync(CompanyCaller caller, IGrainFactory grains)
    {
        await grains.GetGrain<IDeviceGrain>(caller.Device.Mac).RemoveFromProjectAsync(caller.CompanyId);
        return TypedResults.NoContent();
    }

    public static async Task<Ok<MoveDevicesResponse>> MoveDevicesAsync(MoveDevicesRequest request, CompanyCaller caller, IdempotencyKey? idempotency, IGrainFactory grains)
    {
        var macs = (request.Macs ?? throw LicensingException.Validation("'macs' is required.")).Select(m => Mac.Parse(m).ToString()).Distinct(StringComparer.Ordinal).ToImmutableArray();
        if (macs.IsEmpty)
        {
            throw LicensingException.Validation("'macs' names no device.");
        }

        if (macs.Length > InputLimits.Items.DevicesPerMove)
        {
            throw new LicensingException(ErrorCodes.TooManyDevices, $"At most {InputLimits.Items.DevicesPerMove} devices can be moved at once; the request names {macs.Length}.");
        }

        var excluded = (request.ExcludedLots ?? []).Select(id => Validate.Text(id, "excludedLots", InputLimits.Text.LotId)).Distinct(StringComparer.Ordinal).ToImmutableArray();
        var buyOnCredit = request.BuyOnCredit ?? false;
        var orderNumber = Validate.OptionalText(request.OrderNumber, "orderNumber", InputLimits.Text.OrderNumber);
        if (buyOnCredit && !caller.Membership.EffectiveRights.Contains(CompanyRights.BuyOnCredit))
        {
            throw new LicensingException(ErrorCodes.CreditNotAllowed, "Buying on credit needs the right BuyOnCredit in this company.");
        }

        if (buyOnCredit && orderNumber is null)
        {
            throw LicensingException.Validation("A purchase on credit needs an 'orderNumber'.");
        }

        // The ledger reads the target's SSA end (R-D6) on the business clock.
        var command = new MoveDevicesCommand(
            caller.CompanyId, caller.ProjectId!, macs, null, request.CalculationDate, request.DryRun ?? false, excluded, buyOnCredit, orderNumber, caller.Email);
        var result = await grains.LedgerFor(caller.CompanyId).MoveDevicesAsync(command, idempotency?.For(request));
        return TypedResults.Ok(new MoveDevicesResponse(
            result.TargetProjectId,
            [.. result.Devices.Select(d => new MovedDeviceResponse(d.Mac, d.FromProjectId, d.Moved))],
            result.Ssa is null ? null : SsaResponse.From(result.Ssa),
            result.Confirmed));
    }

    public static async Task<Ok<DeviceStatusResponse>> CheckDeviceStatusAsync(string deviceMac, IGrainFactory grains, Catalog catalog)
    {
        var mac = Mac.Parse(deviceMac).ToString();
        var hardware = await grains.GetGrain<IHardwareGrain>(mac).GetAsync() ?? throw LicensingException.NotFound("The device");
        var view = await grains.GetGrain<IDeviceGrain>(mac).GetAsync();
        return TypedResults.Ok(new DeviceStatusResponse(
            mac,
            [.. view.Lots.Select(l => new DeviceStatusLicense(l.Type, l.Units, l.Version, l.SsaEndDate))],
            DeviceStatusReport.SsaEnd(view.Lots),
            DeviceStatusReport.WarrantyEnd(hardware.Registration.ShipDate, view.Lots, catalog)));
    }

    public static async Task<Ok<RmaResponse>> RequestRmaAsync(RmaRequest? request, CompanyCaller caller, IGrainFactory grains)
    {
        var reason = Validate.OptionalText(request?.Reason, "reason", InputLimits.Text.DeviceComment);
        var rma = await grains.GetGrain<IRmaGrain>(caller.Device.Mac).RequestAsync(caller.CompanyId, reason);
        return TypedResults.Ok(RmaResponse.From(rma));
    }

    public static async Task<Ok<RmaResponse[]>> ListRmaAsync(CompanyCaller caller, IGrainFactory grains)
    {
        var macs = await grains.GetGrain<ICompanyRmaGrain>(caller.CompanyId).ListAsync();
        var rmas = await Task.WhenAll(macs.Select(mac => grains.GetGrain<IRmaGrain>(mac).GetAsync()));

        // Only this company's RMAs: a device may since have gone through another company's RMA.
        return TypedResults.Ok(rmas.OfType<RmaView>().Where(r => r.CompanyId == caller.CompanyId).Select(RmaResponse.From).ToArray());
    }

    public static async Task<Ok<RmaResponse>> RmaArrivedAsync(string mac, IGrainFactory grains) =>
        TypedResults.Ok(RmaResponse.From(await grains.GetGrain<IRmaGrain>(Mac.Parse(mac).ToString()).ArrivedAsync()));

    public static async Task<Ok<RmaResponse>> RmaReshipAsync(string mac, IGrainFactory grains) =>
        TypedResults.Ok(RmaResponse.From(await grains.GetGrain<IRmaGrain>(Mac.Parse(mac).ToString()).ReshipAsync()));

    public static async Task<Results<Ok<OrderDeviceResponse[]>, ContentHttpResult>> ListOrderDevicesAsync(string orderNumber, HttpRequest http, IGrainFactory grains)
    {
        var order = Validate.Text(orderNumber, "orderNumber", InputLimits.Text.OrderNumber);
        var macs = await grains.GetGrain<IHardwareOrderGrain>(order).ListAsync();
        if (macs.IsEmpty)
        {
            throw LicensingException.NotFound($"Order '{order}'");
        }

        var devices = new List<OrderDeviceResponse>(macs.Length);
        foreach (var chunk in macs.Chunk(OrderReadParallelism))
        {
            var views = await Task.WhenAll(chunk.Select(mac => grains.GetGrain<IHardwareGrain>(mac).GetAsync()));

            // A MAC the order lists whose registration did not commit is not a registered device.
            devices.AddRange(views.OfType<HardwareView>().Select(v => new OrderDeviceResponse(
                v.Registration.Mac, v.Registration.DeviceType, v.Registration.OrderNumber, v.Registration.ShipDate, v.Registration.CertificatePublicKey is not null)));
        }

        if (!http.Headers.Accept.Any(a => a?.Contains("text/csv", StringComparison.OrdinalIgnoreCase) == true))
        {
            return TypedResults.Ok(devices.ToArray());
        }

        var csv = new StringBuilder("mac,deviceType,shipDate,registeredWithCertificate\r\n");
        foreach (var d in devices)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{d.Mac},{CsvField(d.DeviceType)},{d.ShipDate:yyyy-MM-dd},{(d.RegisteredWithCertificate ? "yes" : "no")}\r\n");
        }

        return TypedResults.Text(csv.ToString(), "text/csv", Encoding.UTF8);
    }

    public static async Task<Ok<DeviceClaimResponse>> ClaimAsync(DeviceClaimRequest request, HttpRequest http, IGrainFactory grains)
    {
        var (mac, secret) = DevicePollApi.DeviceHeaders(http);
        var companyId = Validate.Id(request.CompanyId ?? throw LicensingException.Validation("'companyId' is required."), "The company");
        var expires = await grains.GetGrain<IDeviceClaimGrain>(mac).ClaimAsync(Validate.Text(secret, DevicePollApi.SecretHeader, InputLimits.Text.ClaimSecret), companyId);
        return TypedResults.Ok(new DeviceClaimResponse(mac, companyId, expires));
    }

    private static string CsvField(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") < 0 ? value : $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";

    private static DeviceResponse DeviceResponseOf(DeviceView view) => DeviceResponse.From(view);
}

/// <summary>R-D4: omitted fields stay; an empty string clears.</summary>
public sealed record UpdateDeviceRequest(string? Name = null, string? Comment = null);

/// <summary>R-D6: the devices to move into the route's project; for a target under SSA the quote options of R-S1 and R-S4.</summary>
public sealed record MoveDevicesRequest(
    List<string>? Macs,
    bool? DryRun = null,
    DateOnly? CalculationDate = null,
    List<string>? ExcludedLots = null,
    bool? BuyOnCredit = null,
    string? OrderNumber = null);

public sealed record MovedDeviceResponse(string Mac, string? FromProjectId, bool Moved);

/// <summary>The devices moved (or, with dryRun, that would move) and, for a target under SSA, the SSA quote of their lots.</summary>
public sealed record MoveDevicesResponse(string ProjectId, IReadOnlyList<MovedDeviceResponse> Devices, SsaResponse? Ssa, bool Confirmed);

public sealed record DeviceStatusLicense(string Type, int Units, string Version, DateOnly? SsaEndDate);

/// <summary>The status of any registered device: its licenses, the earliest SSA end among its lots under SSA, and its warranty end.</summary>
public sealed record DeviceStatusResponse(string Mac, IReadOnlyList<DeviceStatusLicense> Licenses, DateOnly? SsaEndDate, DateOnly WarrantyEndDate);

public sealed record RmaRequest(string? Reason = null);

public sealed record RmaResponse(
    string Mac, string Status, string? ProjectId, string? Reason, DateTimeOffset RequestedAt, DateTimeOffset? ArrivedAt, DateTimeOffset? ReshippedAt,
    string? FreedProjectId, IReadOnlyList<LotResponse> FreedLicenses)
{
    public static RmaResponse From(RmaView rma) => new(
        rma.Mac, rma.Status.ToString(), rma.ProjectId, rma.Reason, rma.RequestedAt, rma.ArrivedAt, rma.ReshippedAt,
        rma.FreedProjectId, [.. rma.FreedLots.Select(LotResponse.From)]);
}

public sealed record OrderDeviceResponse(string Mac, string DeviceType, string OrderNumber, DateOnly ShipDate, bool RegisteredWithCertificate);

/// <summary>R-D2: the company the device lets add it without its secret.</summary>
public sealed record DeviceClaimRequest(string? CompanyId);

public sealed record DeviceClaimResponse(string Mac, string CompanyId, DateTimeOffset ExpiresAt);
