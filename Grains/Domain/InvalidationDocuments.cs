using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using OrleansLicensing.Contracts;

namespace OrleansLicensing.Grains.Domain;

/// <summary>
/// The invalidation document a device produces (R-V5) and the confirmation the service returns
/// (docs/license-files.md). The device signs
/// <c>&lt;invalidation mac="…" sequence="N" scope="allPbx|lots" consentNoDowngrade="true|false"&gt;[&lt;lot id="…"/&gt;…]&lt;signature …/&gt;&lt;/invalidation&gt;</c>
/// with its certificate's P-256 private key by the same byte-exact rule as license files
/// (<see cref="LicenseDocument"/>). <c>sequence</c> counts up per device: the service accepts a
/// document only with a sequence above every one it accepted before, so a replay is detected.
/// </summary>
public static class InvalidationDocuments
{
    public const string RootName = "invalidation";
    public const string ConfirmationName = "invalidationConfirmation";

    /// <summary>
    /// Verifies <paramref name="xml"/> against the device's registered certificate key and reads
    /// it: <see cref="ErrorCodes.DeviceCertificateRequired"/> without a usable key,
    /// <see cref="ErrorCodes.InvalidSignature"/> when the signature does not verify (any changed
    /// byte of the signed part), <see cref="ErrorCodes.ValidationFailed"/> for a verified document
    /// that is malformed or names another device.
    /// </summary>
    public static InvalidationClaim Verify(string xml, string mac, string? certificatePublicKey)
    {
        using var key = ParsePublicKey(certificatePublicKey)
            ?? throw new LicensingException(ErrorCodes.DeviceCertificateRequired, $"{mac} has no device certificate registered; request one first, then let the device sign the invalidation with it.");
        var signed = LicenseDocument.Read(xml);
        if (signed is null || !key.VerifyData(signed.SignedBytes, signed.Signature, HashAlgorithmName.SHA256, LicenseDocument.SignatureFormat))
        {
            throw new LicensingException(ErrorCodes.InvalidSignature, "The invalidation document is not signed by the device's certificate key (or was changed after signing).");
        }

        var root = signed.Root;
        if (root.Name.LocalName != RootName)
        {
            throw LicensingException.Validation($"The document's root element must be <{RootName}>.");
        }

        if (!Mac.TryParse((string?)root.Attribute("mac"), out var documentMac) || documentMac.ToString() != mac)
        {
            throw LicensingException.Validation($"The invalidation document names another device than {mac}.");
        }

        if (!long.TryParse((string?)root.Attribute("sequence"), NumberStyles.None, CultureInfo.InvariantCulture, out var sequence) || sequence <= 0)
        {
            throw LicensingException.Validation("'sequence' must be a positive whole number.");
        }

        var consent = (string?)root.Attribute("consentNoDowngrade") switch
        {
            null or "false" => false,
            "true" => true,
            _ => throw LicensingException.Validation("'consentNoDowngrade' must be true or false."),
        };

        var lots = root.Elements("lot").Select(l => (string?)l.Attribute("id") ?? throw LicensingException.Validation("Every <lot> needs an 'id'.")).ToImmutableArray();
        var allPbx = (string?)root.Attribute("scope") switch
        {
            "allPbx" when lots.IsEmpty => true,
            "lots" when lots.Length is > 0 and <= InputLimits.Items.InvalidationLots && lots.Distinct(StringComparer.Ordinal).Count() == lots.Length => false,
            _ => throw LicensingException.Validation($"'scope' must be allPbx (without <lot> elements) or lots (with 1 to {InputLimits.Items.InvalidationLots} distinct <lot id>)."),
        };

        return new InvalidationClaim(mac, sequence, allPbx, lots, consent, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(xml))));
    }

    /// <summary>
    /// A P-256 public key from PEM (<c>PUBLIC KEY</c>) or from the base64 of its DER
    /// SubjectPublicKeyInfo; null when <paramref name="text"/> is none of these.
    /// </summary>
    public static ECDsa? ParsePublicKey(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var key = ECDsa.Create();
        try
        {
            if (text.Contains("-----BEGIN", StringComparison.Ordinal))
            {
                key.ImportFromPem(text);
            }
            else
            {
                key.ImportSubjectPublicKeyInfo(Convert.FromBase64String(text.Trim()), out _);
            }

            if (key.KeySize == 256)
            {
                return key;
            }
        }
        catch (Exception e) when (e is CryptographicException or FormatException or ArgumentException)
        {
        }

        key.Dispose();
        return null;
    }

    /// <summary>The public key as PEM, or null when <paramref name="text"/> is no P-256 public key.</summary>
    public static string? NormalizePublicKey(string? text)
    {
        using var key = ParsePublicKey(text);
        return key?.ExportSubjectPublicKeyInfoPem();
    }

    /// <summary>The confirmation file of an accepted invalidation, signed by the cluster's key like a license file.</summary>
    public static string Confirmation(string mac, DeviceInvalidation invalidation, ECDsa signingKey, string keyId) =>
        LicenseDocument.Sign(new XElement(ConfirmationName,
            new XAttribute("mac", mac),
            new XAttribute("sequence", invalidation.Sequence.ToString(CultureInfo.InvariantCulture)),
            new XAttribute("confirmedAt", invalidation.At.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)),
            new XAttribute("noDowngrade", invalidation.NoDowngrade ? "true" : "false"),
            new XAttribute("document", invalidation.DocumentSha256),
            invalidation.Returned.Select(lot => new XElement("lot",
                new XAttribute("id", lot.LotId),
                new XAttribute("type", lot.Type),
                new XAttribute("units", lot.Units.ToString(CultureInfo.InvariantCulture)),
                new XAttribute("version", lot.Version)))), signingKey, keyId);
}
