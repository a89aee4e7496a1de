using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using OrleansLicensing.Contracts;

namespace OrleansLicensing.Grains.Domain;

/// <summary>The outcome of checking a password against a stored hash.</summary>
public enum PasswordCheck
{
    Failed,
    Verified,

    /// <summary>The password is right but the stored hash is of an older format or weaker parameters: store a new one.</summary>
    VerifiedRehashNeeded,
}

/// <summary>
/// Salted slow hashes for passwords (R-U5): ASP.NET Core Identity's hasher (format V3:
/// PBKDF2-HMAC-SHA512, 128-bit salt, 256-bit subkey, parameters stored in the hash) with the
/// iteration count set explicitly to <see cref="Iterations"/>. Hashes of the earlier home-made
/// format (<c>pbkdf2-sha256$iterations$salt$hash</c>) still verify, and ask to be rehashed.
/// </summary>
public static class PasswordHasher
{
    public const int MinLength = PasswordRules.MinLength;
    public const int MaxLength = PasswordRules.MaxLength;

    /// <summary>
    /// PBKDF2-HMAC-SHA512 rounds for new hashes: at or above current guidance (600,000 for
    /// PBKDF2-SHA256, 210,000 for PBKDF2-SHA512) and well above the package's default (100,000).
    /// </summary>
    public const int Iterations = 600_000;

    /// <summary>Bounds on the rounds a stored hash may name: a damaged or hostile value neither opens an account nor ties up a thread.</summary>
    private const int MinIterations = 10_000;
    private const int MaxIterations = 2_000_000;

    private const string LegacyScheme = "pbkdf2-sha256";
    private const int LegacyMaxIterations = 1_000_000;
    private const int LegacySaltBytes = 16;
    private const int LegacyHashBytes = 32;

    /// <summary>The lowest iteration count a deployment may configure (tests use it to stay fast).</summary>
    public const int MinConfigurableIterations = 100_000;

    private static readonly ConcurrentDictionary<int, PasswordHasher<object>> Hashers = new();

    private static readonly object Nobody = new();

    /// <summary>Hashes of a random password per iteration count, verified against when no account exists, so an unknown e-mail costs the same as a wrong password.</summary>
    private static readonly ConcurrentDictionary<int, string> Dummies = new();

    public static string Hash(string password, int iterations = Iterations) => Identity(iterations).HashPassword(Nobody, password);

    public static bool Verify(string password, string stored) => Check(password, stored) != PasswordCheck.Failed;

    /// <summary>
    /// Checks <paramref name="password"/> against <paramref name="stored"/>; never throws for a
    /// malformed stored value. A hash with fewer rounds than <paramref name="iterations"/> asks to be rehashed.
    /// </summary>
    public static PasswordCheck Check(string password, string stored, int iterations = Iterations)
    {
        if (stored.StartsWith(LegacyScheme + "$", StringComparison.Ordinal))
        {
            return VerifyLegacy(password, stored) ? PasswordCheck.VerifiedRehashNeeded : PasswordCheck.Failed;
        }

        if (!HasSaneV3Header(stored))
        {
            return PasswordCheck.Failed;
        }

        return Identity(iterations).VerifyHashedPassword(Nobody, stored, password) switch
        {
            PasswordVerificationResult.Success => PasswordCheck.Verified,
            PasswordVerificationResult.SuccessRehashNeeded => PasswordCheck.VerifiedRehashNeeded,
            _ => PasswordCheck.Failed,
        };
    }

    /// <summary>Does the work of one verification and fails: for callers that have no stored hash (no enumeration by timing).</summary>
    public static PasswordCheck CheckWithoutAccount(string password, int iterations = Iterations)
    {
        Check(password, Dummies.GetOrAdd(iterations, n => Hash(Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)), n)), iterations);
        return PasswordCheck.Failed;
    }

    private static PasswordHasher<object> Identity(int iterations) => Hashers.GetOrAdd(
        Math.Clamp(iterations, MinConfigurableIterations, MaxIterations),
        n => new PasswordHasher<object>(Options.Create(new PasswordHasherOptions
        {
            CompatibilityMode = PasswordHasherCompatibilityMode.IdentityV3,
            IterationCount = n,
        })));

    /// <summary>V3 header: marker 0x01, PRF (uint32 BE), iteration count (uint32 BE), salt length (uint32 BE).</summary>
    private static bool HasSaneV3Header(string stored)
    {
        Span<byte> bytes = stackalloc byte[128];
        if (stored.Length is 0 or > 172 || !Convert.TryFromBase64String(stored, bytes, out var length) || length < 13 || bytes[0] != 0x01)
        {
            return false;
        }

        var iterations = BinaryPrimitives.ReadUInt32BigEndian(bytes[5..]);
        var saltLength = BinaryPrimitives.ReadUInt32BigEndian(bytes[9..]);
        return iterations is >= MinIterations and <= MaxIterations && saltLength >= 16 && length - 13 - saltLength >= 32;
    }

    /// <summary>The earlier format: <c>pbkdf2-sha256$iterations$salt$hash</c> with exactly the bounds it was written with.</summary>
    private static bool VerifyLegacy(string password, string stored)
    {
        var parts = stored.Split('$');
        if (parts.Length != 4 || parts[0] != LegacyScheme
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var iterations)
            || iterations is < MinIterations or > LegacyMaxIterations)
        {
            return false;
        }

        var salt = new byte[parts[2].Length];
        var expected = new byte[parts[3].Length];
        if (!Convert.TryFromBase64String(parts[2], salt, out var saltLength) || saltLength < LegacySaltBytes
            || !Convert.TryFromBase64String(parts[3], expected, out var hashLength) || hashLength != LegacyHashBytes)
        {
            return false;
        }

        salt = salt[..saltLength];
        expected = expected[..hashLength];
        var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }
}

/// <summary>Silo configuration of password hashing (<c>Licensing:PasswordHashIterations</c>).</summary>
public sealed class PasswordHashOptions
{
    /// <summary>PBKDF2-HMAC-SHA512 rounds of new hashes; stored hashes with fewer are rehashed at the next sign-in.</summary>
    [Range(PasswordHasher.MinConfigurableIterations, 2_000_000)]
    public int PasswordHashIterations { get; set; } = PasswordHasher.Iterations;
}
