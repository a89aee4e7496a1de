using Microsoft.AspNetCore.Http.HttpResults;
using OrleansLicensing.Contracts;
using OrleansLicensing.Gateway.Infrastructure;
using OrleansLicensing.Grains.Domain;

namespace OrleansLicensing.Gateway.Apis;

/// <summary>The vendor's API: minting keys (R-K1) and registering shipped hardware (R-D1).</summary>
public static class VendorApi
{
    public const int MaxHardwareBatch = 1000;

    public static IEndpointRouteBuilder MapVendorApi(this IEndpointRouteBuilder routes)
    {
        var vendor = routes.MapGroup("/api/v1/vendor").WithTags("Vendor").RequireAuthorization(BearerAuthenticationHandler.VendorPolicy);
        vendor.MapPost("/activation-keys", MintKeyAsync).WithName("MintActivationKey").WithProblems(400, 401, 403, 413, 415, 503);
        vendor.MapPost("/hardware", RegisterHardwareAsync).WithName("RegisterHardware").WithProblems(400, 401, 403, 409, 413, 415);
        vendor.MapGet("/audit", AuditAsync).WithName("ConservationAudit").WithProblems(401, 403, 503);
        return routes;
    }

    public static async Task<Created<ActivationKeyResponse>> MintKeyAsync(MintKeyRequest request, HttpContext context, IGrainFactory grains, Catalog catalog)
    {
        var licenses = catalog.ValidateLicenseMap(request.Licenses);
        var orderNumber = Validate.OptionalText(request.OrderNumber, "orderNumber", 100);
        var key = await grains.GetGrain<ILedgerGrain>(0).MintKeyAsync(licenses, orderNumber, Idempotency.From(context, context.User, request));
        return TypedResults.Created($"/api/v1/vendor/activation-keys/{key.Key}", new ActivationKeyResponse(key.Key, key.Licenses, key.OrderNumber));
    }

    /// <summary>R-C2: minted against held plus consumed, per license type.</summary>
    public static async Task<Ok<AuditResponse>> AuditAsync(OrleansLicensing.Silo.AuditMonitor monitor)
    {
        var report = await monitor.RunAsync();
        return TypedResults.Ok(new AuditResponse(
            report.Balanced,
            report.LicenseTypes.Select(l => new AuditLineResponse(l.Type, l.Minted, l.Held, l.Consumed, l.Difference, l.HeldBy)).ToArray(),
            report.Holders,
            report.At));
    }

    /// <remarks>
    /// With an <c>Idempotency-Key</c> each device's secret is derived from the key and the MAC,
    /// so a retry — after a lost response or a failure half-way through the batch — registers
    /// what is missing and answers the same secrets (decision D18).
    /// </remarks>
    public static async Task<Created<RegisterHardwareResponse>> RegisterHardwareAsync(RegisterHardwareRequest request, HttpContext context, IGrainFactory grains, Catalog catalog, GatewaySecrets secrets)
    {
        if (request.Devices is null || request.Devices.Count == 0 || request.Devices.Count > MaxHardwareBatch)
        {
            throw LicensingException.Validation($"'devices' must list 1 to {MaxHardwareBatch} devices.");
        }

        // Everything is validated before the first device is registered.
        var registrations = request.Devices.Select(item =>
        {
            if (item is null)
            {
                throw LicensingException.Validation("'devices' must not contain null.");
            }

            var deviceType = Validate.Text(item.DeviceType, "deviceType", 32);
            if (!catalog.TryGetDeviceType(deviceType, out _))
            {
                throw new LicensingException(ErrorCodes.UnknownDeviceType, $"Device type '{deviceType}' is not in the catalog.");
            }

            return new HardwareRegistration(
                Mac.Parse(item.Mac).ToString(),
                deviceType,
                Validate.Text(item.OrderNumber, "orderNumber", 100),
                item.ShipDate,
                Validate.OptionalText(item.CertificatePublicKey, "certificatePublicKey", 4096));
        }).ToList();

        var duplicate = registrations.GroupBy(r => r.Mac).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw LicensingException.Validation($"{duplicate.Key} is listed more than once.");
        }

        var idempotency = Idempotency.From(context, context.User, request);
        string? SecretFor(string mac) => idempotency is null ? null : Codes.DeviceSecretFor(secrets.TokenKey, idempotency.Scope, mac);

        foreach (var registration in registrations)
        {
            if (await grains.GetGrain<IHardwareGrain>(registration.Mac).GetAsync() is { } existing
                && !HardwareRegistrations.IsReplay(existing.Registration, registration, SecretFor(registration.Mac), existing.SecretHash))
            {
                throw new LicensingException(ErrorCodes.HardwareAlreadyRegistered, $"{registration.Mac} is already registered; nothing was registered.");
            }
        }

        var registered = new List<RegisteredDevice>(registrations.Count);
        foreach (var registration in registrations)
        {
            var secret = await grains.GetGrain<IHardwareGrain>(registration.Mac).RegisterAsync(registration, SecretFor(registration.Mac));
            registered.Add(new RegisteredDevice(registration.Mac, secret));
        }

        return TypedResults.Created("/api/v1/vendor/hardware", new RegisterHardwareResponse(registered));
    }
}
