using System.Security.Cryptography;
using System.Text;

namespace OrleansLicensing.Contracts;

/// <summary>
/// Unguessable identifiers. Activation keys carry 125 random bits (R-K1) in five groups of five
/// Crockford base-32 characters, which avoids the look-alikes I, L, O and U.
/// </summary>
public static class Codes
{
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    private const int KeyGroups = 5;
    private const int GroupLength = 5;

    private const int MailCodeGroups = 4;
    private const int MailCodeGroupLength = 4;

    public static string NewActivationKey() => Grouped(KeyGroups, GroupLength);

    /// <summary>
    /// The code an account activation or e-mail change mail carries (R-U5): 80 random bits in
    /// four groups of four characters of the same alphabet as keys, e.g. <c>7KQ2-M9XD-0AHT-WB3C</c>.
    /// </summary>
    public static string NewMailCode() => Grouped(MailCodeGroups, MailCodeGroupLength);

    /// <summary>The canonical form of a mail code typed by a person; <c>null</c> when it cannot be one.</summary>
    public static string? NormalizeMailCode(string? input) => Normalize(input, MailCodeGroups, MailCodeGroupLength);

    /// <summary>
    /// The canonical form of a key typed by a person: upper case, groups joined by dashes,
    /// look-alike letters mapped (O→0, I/L→1). <c>null</c> when it cannot be a key.
    /// </summary>
    public static string? NormalizeActivationKey(string? input) => Normalize(input, KeyGroups, GroupLength);

    private static string Grouped(int groups, int groupLength)
    {
        var chars = RandomChars(groups * groupLength);
        var builder = new StringBuilder(groups * (groupLength + 1));
        for (var group = 0; group < groups; group++)
        {
            if (group > 0)
            {
                builder.Append('-');
            }

            builder.Append(chars, group * groupLength, groupLength);
        }

        return builder.ToString();
    }

    private static string? Normalize(string? input, int groups, int groupLength)
    {
        if (string.IsNullOrWhiteSpace(input) || input.Length > 64)
        {
            return null;
        }

        var raw = new StringBuilder(groups * groupLength);
        foreach (var c in input.Trim().ToUpperInvariant())
        {
            var mapped = c switch
            {
                'O' => '0',
                'I' or 'L' => '1',
                _ => c,
            };
            if (mapped is '-' or ' ')
            {
                continue;
            }

            if (!Alphabet.Contains(mapped))
            {
                return null;
            }

            raw.Append(mapped);
        }

        if (raw.Length != groups * groupLength)
        {
            return null;
        }

        for (var group = groups - 1; group > 0; group--)
        {
            raw.Insert(group * groupLength, '-');
        }

        return raw.ToString();
    }

    /// <summary>A short random id for companies and projects (80 bits, lower-case base 32).</summary>
    public static string NewId() => new string(RandomChars(16)).ToLowerInvariant();

    /// <summary>
    /// The id a retried create with the same idempotency scope gets again: 80 bits of
    /// SHA-256 over the scope, in the same alphabet as <see cref="NewId"/>.
    /// </summary>
    public static string IdFrom(string scope)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(scope));
        var chars = new char[16];
        for (var i = 0; i < chars.Length; i++)
        {
            // 16 × 5 bits = 80 bits taken from the first 10 bytes.
            var bit = i * 5;
            var value = ((hash[bit / 8] << 8) | hash[(bit / 8) + 1]) >> (11 - (bit % 8)) & 0x1F;
            chars[i] = char.ToLowerInvariant(Alphabet[value]);
        }

        return new string(chars);
    }

    /// <summary>A device secret (128 bits) shown to the vendor once, stored only as a hash.</summary>
    public static string NewDeviceSecret() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>
    /// The secret of <paramref name="mac"/> registered under an idempotent request: derived
    /// (HMAC-SHA256 under a node secret) from the request's idempotency scope, so a retried
    /// registration hands out the same secret without any secret being stored in clear.
    /// Same format as <see cref="NewDeviceSecret"/>.
    /// </summary>
    public static string DeviceSecretFor(byte[] key, string idempotencyScope, string mac)
    {
        var mac256 = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes("device-secret\n" + idempotencyScope + "\n" + mac));
        return Convert.ToHexStringLower(mac256.AsSpan(0, 16));
    }

    public static byte[] HashSecret(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    /// <summary>Checked on every device poll, so it hashes on the stack.</summary>
    public static bool SecretMatches(string? secret, byte[] hash)
    {
        if (string.IsNullOrEmpty(secret) || secret.Length > 128)
        {
            return false;
        }

        Span<byte> utf8 = stackalloc byte[128 * 3];
        Span<byte> computed = stackalloc byte[SHA256.HashSizeInBytes];
        var length = Encoding.UTF8.GetBytes(secret, utf8);
        SHA256.HashData(utf8[..length], computed);
        return CryptographicOperations.FixedTimeEquals(computed, hash);
    }

    private static char[] RandomChars(int count)
    {
        var chars = new char[count];
        for (var i = 0; i < count; i++)
        {
            chars[i] = Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)];
        }

        return chars;
    }
}
