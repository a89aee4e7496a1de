using Microsoft.AspNetCore.Http.HttpResults;
using OrleansLicensing.Contracts;
using OrleansLicensing.Gateway.Infrastructure;
using OrleansLicensing.Grains;
using OrleansLicensing.Grains.Domain;

namespace OrleansLicensing.Gateway.Apis;

/// <summary>The catalog (SPEC §5) and the stateless SSC calculator (R-S1..R-S3); anonymous.</summary>
public static class CatalogApi
{
    public const int MaxQuoteLots = 1000;

    public static IEndpointRouteBuilder MapCatalogApi(this IEndpointRouteBuilder routes)
    {
        var catalog = routes.MapGroup("/api/v1/catalog").WithTags("Catalog").RequireRateLimiting(GatewaySetup.AnonymousRateLimit);
        catalog.MapGet("/license-types", GetLicenseTypes).WithName("GetLicenseTypes").WithProblems(429);
        catalog.MapGet("/device-types", GetDeviceTypes).WithName("GetDeviceTypes").WithProblems(429);
        catalog.MapGet("/versions", GetVersions).WithName("GetVersions").WithProblems(429);
        catalog.MapGet("/signing-key", GetSigningKey).WithName("GetSigningKey").WithProblems(429);

        routes.MapPost("/api/v1/ssc/quote", QuoteSsc).WithTags("Catalog").WithName("QuoteSsc")
            .RequireRateLimiting(GatewaySetup.AnonymousRateLimit).WithProblems(400, 413, 415, 422, 429);
        return routes;
    }

    public static Ok<LicenseTypeResponse[]> GetLicenseTypes(Catalog catalog) =>
        TypedResults.Ok(catalog.LicenseTypes.Select(t => new LicenseTypeResponse(t.Code, t.SscPerUnitPerYear, t.Description, t.Category.ToString(), t.Ports, t.MinVersion, t.MaxVersion, t.ExternalKey)).ToArray());

    public static Ok<DeviceTypeResponse[]> GetDeviceTypes(Catalog catalog) =>
        TypedResults.Ok(catalog.DeviceTypes.Select(t => new DeviceTypeResponse(t.Code, t.Maxima, t.Description)).ToArray());

    public static Ok<VersionResponse[]> GetVersions(Catalog catalog, TimeProvider time)
    {
        var current = catalog.CurrentVersion(DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime));
        return TypedResults.Ok(catalog.Versions.Select(v => new VersionResponse(v.Version, v.ReleaseDate, v == current)).ToArray());
    }

    public static Ok<SigningKeyResponse> GetSigningKey(LicenseSigningKey key) =>
        TypedResults.Ok(new SigningKeyResponse(LicenseDocument.SignatureAlgorithm, key.PublicKeyPem));

    public static Ok<SscQuoteResponse> QuoteSsc(SscQuoteRequest request, Catalog catalog)
    {
        if (request.Lots is null || request.Lots.Count == 0 || request.Lots.Count > MaxQuoteLots)
        {
            throw LicensingException.Validation($"'lots' must list 1 to {MaxQuoteLots} lots.");
        }

        var lots = request.Lots.Select(lot =>
        {
            if (lot is null)
            {
                throw LicensingException.Validation("'lots' must not contain null.");
            }

            catalog.GetVersion(Validate.Text(lot.Version, "version", 8));
            return new SscLot(Validate.Text(lot.Type, "type", 64), lot.Units, lot.Version, lot.BindDate, lot.SsaEndDate);
        }).ToList();

        var quote = new SscCalculator(catalog).Quote(lots, request.CalculationDate, request.EndDate);
        return TypedResults.Ok(new SscQuoteResponse(
            quote.Lots.Select(q => new SscLotResponse(q.Type, q.Units, q.CoverageStart, q.DaysTwice, q.DaysOnce, q.Multiplier, q.Ssc)).ToArray(),
            quote.TotalSsc));
    }
}
