using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using OrleansLicensing.Contracts;

namespace OrleansLicensing.Grains.Domain;

/// <summary>
/// The signed license file of R-V2 and every other document the cluster (or a device) signs.
/// The byte-exact rule (docs/license-files.md): the document is UTF-8 XML without declaration
/// or indentation whose root element's last child is
/// <c>&lt;signature algorithm="ECDSA-P256-SHA256" keyId="…"&gt;BASE64&lt;/signature&gt;</c>. The
/// signed bytes are the document's bytes with that element (from <c>&lt;signature</c> to
/// <c>&lt;/signature&gt;</c> inclusive) cut out, nothing else changed; the signature is ECDSA
/// P-256 over SHA-256 of those bytes, DER-encoded (RFC 3279 <c>Ecdsa-Sig-Value</c>, what
/// <c>openssl dgst -verify</c> reads), in standard base64.
/// </summary>
public static class LicenseDocument
{
    public const string SignatureAlgorithm = "ECDSA-P256-SHA256";

    /// <summary>The signature encoding: DER, so <c>openssl dgst -sha256 -verify</c> checks it as it is.</summary>
    public const DSASignatureFormat SignatureFormat = DSASignatureFormat.Rfc3279DerSequence;

    private const string SignatureOpen = "<signature ";
    private const string SignatureClose = "</signature>";

    public static string Create(string mac, string version, IEnumerable<LicenseLot> lots, DateTimeOffset? testModeUntil, ECDsa signingKey, string? keyId = null) =>
        Sign(Content(mac, version, lots, testModeUntil), signingKey, keyId);

    /// <summary>The unsigned <c>license</c> element of R-V2.</summary>
    public static XElement Content(string mac, string version, IEnumerable<LicenseLot> lots, DateTimeOffset? testModeUntil) =>
        new("license",
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

    /// <summary>
    /// Appends the <c>signature</c> element to <paramref name="root"/> and serialises it by the
    /// byte-exact rule: the element is added empty first, so the root never serialises as a
    /// self-closing tag, and the signed bytes are exactly the serialisation without it.
    /// </summary>
    public static string Sign(XElement root, ECDsa signingKey, string? keyId = null)
    {
        keyId ??= LicenseSigningKey.KeyIdOf(signingKey);
        root.Add(new XElement("signature", new XAttribute("algorithm", SignatureAlgorithm), new XAttribute("keyId", keyId), string.Empty));
        var text = Serialize(root);
        var (start, end) = FindSignature(text) ?? throw new InvalidOperationException("The signature element was not serialised last.");
        var signed = Encoding.UTF8.GetBytes(string.Concat(text.AsSpan(0, start), text.AsSpan(end)));
        var signature = Convert.ToBase64String(signingKey.SignData(signed, HashAlgorithmName.SHA256, SignatureFormat));
        var element = text[start..end].Replace("></signature>", ">" + signature + SignatureClose, StringComparison.Ordinal);
        return string.Concat(text.AsSpan(0, start), element, text.AsSpan(end));
    }

    /// <summary>True when <paramref name="xml"/> carries a valid signature by <paramref name="publicKey"/>.</summary>
    public static bool Verify(string xml, ECDsa publicKey) =>
        Read(xml) is { } signed && publicKey.VerifyData(signed.SignedBytes, signed.Signature, HashAlgorithmName.SHA256, SignatureFormat);

    /// <summary>
    /// Splits a signed document by the byte-exact rule into its parsed root (without the signature
    /// element), the signed bytes, the signature and the key id; null when it is not well-formed
    /// XML or its root's last child is not a signature of <see cref="SignatureAlgorithm"/>.
    /// </summary>
    public static SignedDocument? Read(string xml)
    {
        XElement root;
        try
        {
            root = XElement.Parse(xml, LoadOptions.PreserveWhitespace);
        }
        catch (XmlException)
        {
            return null;
        }

        if (root.LastNode is not XElement { Name.LocalName: "signature" } signatureElement
            || (string?)signatureElement.Attribute("algorithm") != SignatureAlgorithm
            || FindSignature(xml) is not { } span)
        {
            return null;
        }

        byte[] signature;
        try
        {
            signature = Convert.FromBase64String(signatureElement.Value);
        }
        catch (FormatException)
        {
            return null;
        }

        signatureElement.Remove();
        return new SignedDocument(root, Encoding.UTF8.GetBytes(string.Concat(xml.AsSpan(0, span.Start), xml.AsSpan(span.End))), signature, (string?)signatureElement.Attribute("keyId"));
    }

    /// <summary>The span of the last <c>signature</c> element, which must end right before the root's end tag.</summary>
    private static (int Start, int End)? FindSignature(string text)
    {
        var start = text.LastIndexOf(SignatureOpen, StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        var close = text.IndexOf(SignatureClose, start, StringComparison.Ordinal);
        if (close < 0)
        {
            return null;
        }

        var end = close + SignatureClose.Length;
        return text.AsSpan(end).StartsWith("</", StringComparison.Ordinal) ? (start, end) : null;
    }

    private static string Serialize(XElement root) => root.ToString(SaveOptions.DisableFormatting);
}

/// <summary>A signed document split by the rule of <see cref="LicenseDocument"/>.</summary>
public sealed record SignedDocument(XElement Root, byte[] SignedBytes, byte[] Signature, string? KeyId);
