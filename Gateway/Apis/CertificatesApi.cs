using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;
using OrleansLicensing.Contracts;
using OrleansLicensing.Gateway.Infrastructure;

namespace OrleansLicensing.Gateway.Apis;

/// <summary>License certificates of activation keys (R-K4).</summary>
public static class CertificatesApi
{
    public static ApiGroups MapCertificatesApi(this ApiGroups groups)
    {
        groups.Company.MapGet("/keys/{key}/certificate", GetCertificateAsync).WithTags("Certificates").WithName("GetLicenseCertificate")
            .WithSummary("The signed license certificate of a key redeemed into or created from one of the company's projects")
            .Produces<string>(StatusCodes.Status200OK, "text/plain")
            .RequireCompanyRight(CompanyRights.RequestCertificate)
            .ProducesErrors(ErrorCodes.TransientConflict);
        return groups;
    }

    public static async Task<Results<Ok<CertificateResponse>, ContentHttpResult>> GetCertificateAsync(string key, CompanyCaller caller, HttpRequest request, IGrainFactory grains)
    {
        var code = Codes.NormalizeActivationKey(key) ?? throw LicensingException.NotFound("The activation key");
        var certificate = await grains.GetGrain<ILicenseCertificateGrain>(0).IssueAsync(caller.CompanyId, code);
        if (PrefersText(request))
        {
            return TypedResults.Text(Render(certificate), "text/plain", Encoding.UTF8);
        }

        return TypedResults.Ok(new CertificateResponse(
            certificate.Key, certificate.Licenses, certificate.OrderNumber, certificate.OrderReference,
            certificate.RedeemingProjectId, certificate.RedeemingProjectName, certificate.RedeemedAt, certificate.IssuedAt, certificate.Document));
    }

    /// <summary>Text only when the client asks for it and not for JSON more (default and <c>*/*</c>: JSON).</summary>
    private static bool PrefersText(HttpRequest request)
    {
        var accepted = request.GetTypedHeaders().Accept;
        double Quality(string type) => accepted.Where(a => a.MediaType.Equals(type, StringComparison.OrdinalIgnoreCase)).Select(a => a.Quality ?? 1).DefaultIfEmpty(0).Max();
        return Quality("text/plain") > Math.Max(Quality("application/json"), 0);
    }

    /// <summary>The printable certificate; the signed XML at the end is what a machine verifies.</summary>
    private static string Render(LicenseCertificate certificate)
    {
        var text = new StringBuilder();
        text.AppendLine("LICENSE CERTIFICATE").AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Activation key:    {certificate.Key}");
        text.AppendLine(CultureInfo.InvariantCulture, $"Order number:      {certificate.OrderNumber ?? "-"}");
        text.AppendLine(CultureInfo.InvariantCulture, $"Order reference:   {certificate.OrderReference ?? "-"}");
        text.AppendLine(CultureInfo.InvariantCulture, $"Redeemed into:     {(certificate.RedeemingProjectId is null ? "not redeemed" : $"{certificate.RedeemingProjectName} ({certificate.RedeemingProjectId})")}");
        text.AppendLine(CultureInfo.InvariantCulture, $"Redeemed at:       {certificate.RedeemedAt?.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture) ?? "-"}");
        text.AppendLine(CultureInfo.InvariantCulture, $"Issued at:         {certificate.IssuedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)}");
        text.AppendLine().AppendLine("Licenses:");
        foreach (var (type, units) in certificate.Licenses)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {units,6} x {type}");
        }

        text.AppendLine().AppendLine("Signed document (verify with GET /api/v1/catalog/signing-key):");
        text.AppendLine(certificate.Document);
        return text.ToString();
    }
}
