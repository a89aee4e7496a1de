using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using System.Xml.Linq;

namespace OrleansLicensing.Grains.Domain;

/// <summary>What a license certificate states (R-K4).</summary>
public sealed record LicenseCertificateContent(
    string Key,
    ImmutableSortedDictionary<string, int> Licenses,
    string? OrderNumber,
    string? OrderReference,
    string? RedeemingCompanyId,
    string? RedeemingProjectId,
    string? RedeemingProjectName,
    DateTimeOffset? RedeemedAt,
    DateTimeOffset IssuedAt);

/// <summary>
/// The license certificate of R-K4 as an XML document signed like a license file
/// (<see cref="LicenseDocument.Sign"/>): <c>&lt;licenseCertificate key=… &gt;&lt;license type= units=/&gt;…&lt;signature/&gt;</c>.
/// Anyone verifies it with the public key of <c>/api/v1/catalog/signing-key</c>.
/// </summary>
public static class LicenseCertificateDocument
{
    public static string Create(LicenseCertificateContent content, ECDsa signingKey, string? keyId = null)
    {
        var root = new XElement("licenseCertificate",
            new XAttribute("key", content.Key),
            Optional("orderNumber", content.OrderNumber),
            Optional("orderReference", content.OrderReference),
            Optional("redeemingCompanyId", content.RedeemingCompanyId),
            Optional("redeemingProjectId", content.RedeemingProjectId),
            Optional("redeemingProjectName", content.RedeemingProjectName),
            Optional("redeemedAt", content.RedeemedAt?.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)),
            new XAttribute("issuedAt", content.IssuedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)),
            content.Licenses.Select(entry => new XElement("license",
                new XAttribute("type", entry.Key),
                new XAttribute("units", entry.Value.ToString(CultureInfo.InvariantCulture)))));
        return LicenseDocument.Sign(root, signingKey, keyId);
    }

    private static XAttribute? Optional(string name, string? value) => value is null ? null : new XAttribute(name, value);
}
