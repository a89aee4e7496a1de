using Microsoft.AspNetCore.Http.HttpResults;
using OrleansLicensing.Contracts;
using OrleansLicensing.Gateway.Infrastructure;

namespace OrleansLicensing.Gateway.Apis;

/// <summary>The vendor's API: minting keys (R-K1), registering shipped hardware (R-D1), the audit (R-C2).</summary>
public static class VendorApi
{
    public static ApiGroups MapVendorApi(this ApiGroups groups)
    {
        var vendor = groups.Vendor.WithTags("Vendor");
        vendor.MapPost("/activation-keys", MintKeyAsync).WithName("MintActivationKey")
            .WithSummary("Mint an activation key").ProducesErrors(ErrorCodes.UnknownLicenseType, ErrorCodes.InvalidUnits, ErrorCodes.TransientConflict);
        vendor.MapPost("/hardware", RegisterHardwareAsync).WithName("RegisterHardware")
            .WithSummary("Register shipped devices and receive their secrets (all or nothing)")
            .ProducesErrors(ErrorCodes.InvalidMac, ErrorCodes.UnknownDeviceType, ErrorCodes.HardwareAlreadyRegistered, ErrorCodes.Conflict);
        vendor.MapGet("/audit", AuditAsync).WithName("ConservationAudit")
            .WithSummary("Conservation audit: minted against held plus consumed units per license type")
            .WithDescription("Starts the cluster's audit, or joins the one in progress, and waits for it up to `wait` seconds "
                + "(default and maximum `Gateway:AuditWaitSeconds`, 20): 200 with the report when it finished in time; "
                + "otherwise 202 with its progress, a `Location` of `GET /api/v1/vendor/audit/progress` and `Retry-After`. "
                + "Poll that until `running` is null; `last` is then this audit's report. Small installations get 200 at once.")
            .ProducesErrors(ErrorCodes.ValidationFailed);
        vendor.MapGet("/audit/progress", AuditProgressAsync).WithName("ConservationAuditProgress")
            .WithSummary("Progress of the conservation audit in progress and the last complete report; starts nothing");
        return groups;
    }

    public static async Task<Created<ActivationKeyResponse>> MintKeyAsync(MintKeyRequest request, IdempotencyKey? idempotency, IGrainFactory grains, Catalog catalog)
    {
        var licenses = catalog.ValidateLicenseMap(request.Licenses);
        var orderNumber = Validate.OptionalText(request.OrderNumber, "orderNumber", InputLimits.Text.OrderNumber);
        var key = await grains.GetGrain<ILedgerGrain>(LedgerLanes.Vendor).MintKeyAsync(licenses, orderNumber, idempotency?.For(request));
        return TypedResults.Created($"/api/v1/vendor/activation-keys/{key.Key}", new ActivationKeyResponse(key.Key, key.Licenses, key.OrderNumber));
    }

    public const string AuditProgressPath = "/api/v1/vendor/audit/progress";

    /// <summary>Seconds a client is asked to wait before it polls the progress of a running audit.</summary>
    private const int AuditRetryAfterSeconds = 5;

    /// <remarks>
    /// The audit runs as the cluster's job (<see cref="IAuditScheduleGrain"/>), not in the
    /// request: over 100,000 holders it takes longer than a request may, and a second caller
    /// joins the run in progress instead of starting another pass over every holder.
    /// </remarks>
    public static async Task<Results<Ok<AuditResponse>, Accepted<AuditProgressResponse>>> AuditAsync(int? wait, IGrainFactory grains, GatewaySettings settings, HttpContext http)
    {
        if (wait is < 0)
        {
            throw LicensingException.Validation("'wait' must be 0 or more seconds.");
        }

        var seconds = Math.Min(wait ?? settings.AuditWaitSeconds, settings.AuditWaitSeconds);
        var status = await grains.GetGrain<IAuditScheduleGrain>(0).RunAsync(TimeSpan.FromSeconds(Math.Max(0, seconds)));
        if (status.Running is null && status.Last is { } report)
        {
            return TypedResults.Ok(ToResponse(report));
        }

        http.Response.Headers.RetryAfter = AuditRetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Accepted(AuditProgressPath, ToResponse(status));
    }

    public static async Task<Ok<AuditProgressResponse>> AuditProgressAsync(IGrainFactory grains) =>
        TypedResults.Ok(ToResponse(await grains.GetGrain<IAuditScheduleGrain>(0).GetStatusAsync()));

    private static AuditProgressResponse ToResponse(AuditStatus status) => new(
        status.Running is { } running ? new AuditRunResponse(running.StartedAt, running.Pass, running.HoldersRead, running.HoldersKnown) : null,
        status.Last is { } last ? ToResponse(last) : null);

    private static AuditResponse ToResponse(AuditReport report) => new(
        report.Balanced,
        report.LicenseTypes.Select(l => new AuditLineResponse(l.Type, l.Minted, l.Held, l.Consumed, l.Difference, l.HeldBy)).ToArray(),
        report.Holders,
        report.At,
        report.Unsettled);

    /// <remarks>
    /// Every entry is validated here; the registrar grain then registers the batch all or
    /// nothing with respect to concurrent requests (D6). With an <c>Idempotency-Key</c> each
    /// device's secret derives from the key and the MAC, so a retry answers the same secrets (D18).
    /// </remarks>
    public static async Task<Created<RegisterHardwareResponse>> RegisterHardwareAsync(RegisterHardwareRequest request, IdempotencyKey? idempotency, IGrainFactory grains, Catalog catalog)
    {
        if (request.Devices is null || request.Devices.Count == 0 || request.Devices.Count > InputLimits.Items.HardwarePerRegistration)
        {
            throw LicensingException.Validation($"'devices' must list 1 to {InputLimits.Items.HardwarePerRegistration} devices.");
        }

        var registrations = request.Devices.Select(item =>
        {
            if (item is null)
            {
                throw LicensingException.Validation("'devices' must not contain null.");
            }

            var deviceType = Validate.Text(item.DeviceType, "deviceType", InputLimits.Text.DeviceType);
            if (!catalog.TryGetDeviceType(deviceType, out _))
            {
                throw new LicensingException(ErrorCodes.UnknownDeviceType, $"Device type '{deviceType}' is not in the catalog.");
            }

            return new HardwareRegistration(
                Mac.Parse(item.Mac).ToString(),
                deviceType,
                Validate.Text(item.OrderNumber, "orderNumber", InputLimits.Text.OrderNumber),
                item.ShipDate,
                Validate.OptionalText(item.CertificatePublicKey, "certificatePublicKey", InputLimits.Text.CertificatePublicKey));
        }).ToList();

        var duplicate = registrations.GroupBy(r => r.Mac).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw LicensingException.Validation($"{duplicate.Key} is listed more than once.");
        }

        var registered = await grains.GetGrain<IHardwareRegistrarGrain>(0).RegisterAsync([.. registrations], idempotency?.For(request).Scope);
        return TypedResults.Created("/api/v1/vendor/hardware", new RegisterHardwareResponse([.. registered.Select(r => new RegisteredDevice(r.Mac, r.DeviceSecret))]));
    }
}
