using System.Security.Cryptography;
using System.Text;
using OrleansLicensing.Contracts;

namespace OrleansLicensing.Grains.Domain;

/// <summary>
/// The password scheme of the old license manager's export (docs/import.md): PBKDF2 with HMAC-SHA1
/// or HMAC-SHA256 over the UTF-8 password, the salt and iteration count stored per account.
/// </summary>
public static class LegacyPasswords
{
    public const string Sha1 = "pbkdf2-sha1";
    public const string Sha256 = "pbkdf2-sha256";
    public const int MinIterations = 1_000;
    public const int MaxIterations = 1_000_000;

    /// <summary>Null when the hash is one this scheme can verify, else why not (for the vendor's upload).</summary>
    public static string? Problem(LegacyPasswordHash hash)
    {
        if (hash.Algorithm is not (Sha1 or Sha256))
        {
            return $"algorithm must be '{Sha1}' or '{Sha256}'";
        }

        if (hash.Iterations is < MinIterations or > MaxIterations)
        {
            return $"iterations must be {MinIterations} to {MaxIterations}";
        }

        return Decode(hash.Salt) is { Length: >= 8 } && Decode(hash.Hash) is { Length: >= 16 and <= 64 }
            ? null
            : "salt (at least 8 bytes) and hash (16 to 64 bytes) must be base64";
    }

    public static bool Verify(string password, LegacyPasswordHash hash)
    {
        if (Problem(hash) is not null)
        {
            return false;
        }

        var expected = Decode(hash.Hash)!;
        var algorithm = hash.Algorithm == Sha1 ? HashAlgorithmName.SHA1 : HashAlgorithmName.SHA256;
        var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), Decode(hash.Salt)!, hash.Iterations, algorithm, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    private static byte[]? Decode(string? base64)
    {
        if (base64 is null)
        {
            return null;
        }

        var buffer = new byte[(base64.Length * 3 / 4) + 3];
        return Convert.TryFromBase64String(base64, buffer, out var written) ? buffer[..written] : null;
    }
}
