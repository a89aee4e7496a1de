using System.Security.Cryptography;
using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace OrleansLicensing.Grains.Domain;

/// <summary>
/// Encryption of V8+ license files for one device (R-V2), by the recipe of docs/license-files.md:
/// <list type="number">
/// <item><c>ikm</c> = SHA-256 of the UTF-8 bytes of the device secret (what the device holds,
/// hashed; also exactly what the service stores, <c>Codes.HashSecret</c>);</item>
/// <item>key = HKDF-SHA256(ikm, salt = UTF-8 <see cref="Salt"/>, info = UTF-8 <c>MAC|VERSION</c>, 32 bytes)
/// with the MAC in canonical form (<c>00:90:33:0a:1b:2c</c>) and the version as in the file (<c>V13</c>);</item>
/// <item>AES-256-GCM with a random 12-byte nonce, a 16-byte tag and the same <c>MAC|VERSION</c>
/// bytes as associated data, over the UTF-8 bytes of the signed license XML.</item>
/// </list>
/// The envelope: <c>&lt;encryptedLicense mac version algorithm="AES-256-GCM" kdf="HKDF-SHA256" nonce tag&gt;BASE64 ciphertext&lt;/encryptedLicense&gt;</c>.
/// </summary>
public static class LicenseFileEncryption
{
    public const string Salt = "OrleansLicensing license file v1";
    public const string Algorithm = "AES-256-GCM";
    public const string Kdf = "HKDF-SHA256";
    public const string EnvelopeName = "encryptedLicense";

    private const int NonceSize = 12;
    private const int TagSize = 16;

    /// <summary>The device's file key for one version, from the SHA-256 of its secret.</summary>
    public static byte[] DeviceKey(ReadOnlySpan<byte> secretHash, string mac, string version)
    {
        var key = new byte[32];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, secretHash, key, Encoding.UTF8.GetBytes(Salt), Context(mac, version));
        return key;
    }

    public static string Encrypt(string signedXml, ReadOnlySpan<byte> secretHash, string mac, string version)
    {
        var plain = Encoding.UTF8.GetBytes(signedXml);
        var nonce = RandomNumberGenerator.GetBytes(NonceSize);
        var cipher = new byte[plain.Length];
        var tag = new byte[TagSize];
        var key = DeviceKey(secretHash, mac, version);
        using (var aes = new AesGcm(key, TagSize))
        {
            aes.Encrypt(nonce, plain, cipher, tag, Context(mac, version));
        }

        CryptographicOperations.ZeroMemory(key);
        return new XElement(EnvelopeName,
            new XAttribute("mac", mac),
            new XAttribute("version", version),
            new XAttribute("algorithm", Algorithm),
            new XAttribute("kdf", Kdf),
            new XAttribute("nonce", Convert.ToBase64String(nonce)),
            new XAttribute("tag", Convert.ToBase64String(tag)),
            Convert.ToBase64String(cipher)).ToString(SaveOptions.DisableFormatting);
    }

    /// <summary>The signed XML inside an envelope, or null when it is no envelope or the key does not open it.</summary>
    public static string? Decrypt(string envelope, ReadOnlySpan<byte> secretHash)
    {
        try
        {
            var root = XElement.Parse(envelope);
            if (root.Name.LocalName != EnvelopeName || (string?)root.Attribute("algorithm") != Algorithm || (string?)root.Attribute("kdf") != Kdf)
            {
                return null;
            }

            var mac = (string?)root.Attribute("mac") ?? string.Empty;
            var version = (string?)root.Attribute("version") ?? string.Empty;
            var nonce = Convert.FromBase64String((string?)root.Attribute("nonce") ?? string.Empty);
            var tag = Convert.FromBase64String((string?)root.Attribute("tag") ?? string.Empty);
            var cipher = Convert.FromBase64String(root.Value);
            var plain = new byte[cipher.Length];
            var key = DeviceKey(secretHash, mac, version);
            using var aes = new AesGcm(key, TagSize);
            aes.Decrypt(nonce, cipher, tag, plain, Context(mac, version));
            return Encoding.UTF8.GetString(plain);
        }
        catch (Exception e) when (e is XmlException or FormatException or CryptographicException or ArgumentException)
        {
            return null;
        }
    }

    public static bool IsEnvelope(string document) => document.StartsWith("<" + EnvelopeName + " ", StringComparison.Ordinal);

    private static byte[] Context(string mac, string version) => Encoding.UTF8.GetBytes(mac + "|" + version);
}
