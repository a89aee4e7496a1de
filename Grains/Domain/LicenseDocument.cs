using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using OrleansLicensing.Contracts;

namespace OrleansLicensing.Grains.Domain;

/// <summary>
/// The signed license file of R-V2: an XML document for one device and one version whose
/// <c>signature</c> element is an ECDSA P-256 / SHA-256 signature over the UTF-8 bytes of the
/// document without that element, serialised without indentation or declaration.
/// </summary>
public static class LicenseDocument
{
    public const string SignatureAlgorithm = "ECDSA-P256-SHA256";

    public static string Create(string mac, string version, IEnumerable<LicenseLot> lots, DateTimeOffset? testModeUntil, ECDsa signingKey)
    {
        var root = new XElement("license",
            new XAttribute("mac", mac),
            new XAttribute("version", version),
            testModeUntil is { } until ? new XAttribute("testModeUntil", until.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)) : null,
            lots.Select(lot => new XElement("lot",
                new XAttribute("type", lot.Type),
                new XAttribute("units", lot.Units.ToString(CultureInfo.InvariantCulture)),
                new XAttribute("version", lot.Version),
                new XAttribute("bindDate", lot.BindDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
                lot.SsaEndDate is { } ssa ? new XAttribute("ssaEndDate", ssa.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)) : null,
                lot.ExternalKey is { } key ? new XAttribute("externalKey", key) : null)));

        return Sign(root, signingKey);
    }

    /// <summary>
    /// Appends the <c>signature</c> element to <paramref name="root"/> and serialises it; every
    /// signed document of the cluster (license files, license certificates) is signed this way,
    /// so <see cref="Verify"/> checks any of them.
    /// </summary>
    public static string Sign(XElement root, ECDsa signingKey)
    {
        var signature = signingKey.SignData(Canonical(root), HashAlgorithmName.SHA256);
        root.Add(new XElement("signature", new XAttribute("algorithm", SignatureAlgorithm), Convert.ToBase64String(signature)));
        return Serialize(root);
    }

    /// <summary>True when <paramref name="xml"/> carries a valid signature by <paramref name="publicKey"/>.</summary>
    public static bool Verify(string xml, ECDsa publicKey)
    {
        XElement root;
        try
        {
            root = XElement.Parse(xml);
        }
        catch (XmlException)
        {
            return false;
        }

        var signatureElement = root.Element("signature");
        if (signatureElement is null || (string?)signatureElement.Attribute("algorithm") != SignatureAlgorithm)
        {
            return false;
        }

        signatureElement.Remove();
        byte[] signature;
        try
        {
            signature = Convert.FromBase64String(signatureElement.Value);
        }
        catch (FormatException)
        {
            return false;
        }

        return publicKey.VerifyData(Canonical(root), signature, HashAlgorithmName.SHA256);
    }

    private static byte[] Canonical(XElement root) => Encoding.UTF8.GetBytes(Serialize(root));

    private static string Serialize(XElement root) => root.ToString(SaveOptions.DisableFormatting);
}
