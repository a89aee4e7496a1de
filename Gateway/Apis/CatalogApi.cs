using Microsoft.AspNetCore.Http.HttpResults;
using OrleansLicensing.Contracts;
using OrleansLicensing.Gateway.Infrastructure;

namespace OrleansLicensing.Gateway.Apis;

/// <summary>The catalog (SPEC §5) and the stateless SSC calculator (R-S1..R-S3); anonymous.</summary>
public static class CatalogApi
{
    public static ApiGroups MapCatalogApi(this ApiGroups groups)
    {
        var catalog = groups.Anonymous.MapGroup("/catalog").WithTags("Catalog");
        catalog.MapGet("/license-types", GetLicenseTypes).WithName("GetLicenseTypes").WithSummary("License types with their SSC rates");
        catalog.MapGet("/device-types", GetDeviceTypes).WithName("GetDeviceTypes").WithSummary("Device types with their per-type maxima");
        catalog.MapGet("/versions", GetVersions).WithName("GetVersions").WithSummary("Software versions with release dates; the current one marked");
        catalog.MapGet("/signing-key", GetSigningKeyAsync).WithName("GetSigningKey").WithSummary("The public keys that verify license files: the current one and those of earlier rotations, by key id");

        groups.Anonymous.MapPost("/ssc/quote", QuoteSscAsync).WithTags("Catalog").WithName("QuoteSsc")
            .WithSummary("Quote the SSC for bringing lots under SSA until an end date")
            .ProducesErrors(ErrorCodes.UnknownLicenseType, ErrorCodes.InvalidUnits, ErrorCodes.VersionNotOffered, ErrorCodes.SsaEndInPast);
        return groups;
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

    public static async Task<Ok<SigningKeyResponse>> GetSigningKeyAsync(IGrainFactory grains)
    {
        var key = await grains.GetGrain<ISigningKeyGrain>(0).GetPublicKeyAsync();
        return TypedResults.Ok(new SigningKeyResponse(key.Algorithm, key.PublicKeyPem, key.KeyId, "DER", [.. key.Keys.Select(k => new PublishedKeyResponse(k.KeyId, k.PublicKeyPem, k.Current))]));
    }

    public static async Task<Ok<SscQuoteResponse>> QuoteSscAsync(SscQuoteRequest request, IGrainFactory grains, Catalog catalog)
    {
        if (request.Lots is null || request.Lots.Count == 0 || request.Lots.Count > InputLimits.Items.QuoteLots)
        {
            throw LicensingException.Validation($"'lots' must list 1 to {InputLimits.Items.QuoteLots} lots.");
        }

        var lots = request.Lots.Select(lot =>
        {
            if (lot is null)
            {
                throw LicensingException.Validation("'lots' must not contain null.");
            }

            catalog.GetVersion(Validate.Text(lot.Version, "version", InputLimits.Text.Version));
            return new SscLot(Validate.Text(lot.Type, "type", InputLimits.Text.LicenseType), lot.Units, lot.Version, lot.BindDate, lot.SsaEndDate);
        }).ToList();

        var quote = await grains.GetGrain<ISscQuoteGrain>(0).QuoteAsync([.. lots], request.CalculationDate, request.EndDate);
        return TypedResults.Ok(new SscQuoteResponse(
            quote.Lots.Select(q => new SscLotResponse(q.Type, q.Units, q.CoverageStart, q.DaysTwice, q.DaysOnce, q.Multiplier, q.Ssc)).ToArray(),
            quote.TotalSsc));
    }
}
