using System.Globalization;
using System.Security.Cryptography;
using System.Text;

using OrleansLicensing.Contracts;

namespace OrleansLicensing.Grains.Domain;

/// <summary>Salted slow hashes for passwords (R-U5): PBKDF2-SHA256, stored with its parameters.</summary>
public static class PasswordHasher
{
    public const int MinLength = PasswordRules.MinLength;
    public const int MaxLength = PasswordRules.MaxLength;
    private const int Iterations = 100_000;
    private const int MinIterations = 10_000;
    private const int MaxIterations = 1_000_000;
    private const int SaltBytes = 16;
    private const int HashBytes = 32;
    private const string Scheme = "pbkdf2-sha256";

    public static string Hash(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, Iterations, HashAlgorithmName.SHA256, HashBytes);
        return string.Join('$', Scheme, Iterations.ToString(CultureInfo.InvariantCulture), Convert.ToBase64String(salt), Convert.ToBase64String(hash));
    }

    public static bool Verify(string password, string stored)
    {
        // A stored value that is not exactly what Hash writes never verifies (and never throws):
        // imported or damaged hashes must not open an account.
        var parts = stored.Split('$');
        if (parts.Length != 4 || parts[0] != Scheme
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var iterations)
            || iterations is < MinIterations or > MaxIterations)
        {
            return false;
        }

        var salt = new byte[parts[2].Length];
        var expected = new byte[parts[3].Length];
        if (!Convert.TryFromBase64String(parts[2], salt, out var saltLength) || saltLength < SaltBytes
            || !Convert.TryFromBase64String(parts[3], expected, out var hashLength) || hashLength != HashBytes)
        {
            return false;
        }

        salt = salt[..saltLength];
        expected = expected[..hashLength];
        var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }
}
