using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;
using OrleansLicensing.Contracts;

namespace OrleansLicensing.Gateway.Infrastructure;

/// <summary>
/// Company API keys (SPEC §4): <c>olk.{companyId}.{keyId}.{secret}</c> with 256 random bits of
/// secret, sent as bearer tokens. The company's <see cref="ICompanyApiKeysGrain"/> holds the
/// SHA-256 of the secret (a fast hash suits 256-bit random secrets) and checks it in constant time.
/// </summary>
public sealed class ApiKeys(IGrainFactory grains)
{
    public const string Prefix = "olk.";
    public const string KeyIdClaim = "api_key";
    public const string CompanyClaim = "api_key_company";
    public const string RightClaim = "api_key_right";

    public static bool LooksLikeApiKey(string credential) => credential.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>A new key id and key (shown once) and the hash to store.</summary>
    public static (string KeyId, string Key, byte[] SecretHash) Create(string companyId)
    {
        var keyId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var secret = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        return (keyId, $"{Prefix}{companyId}.{keyId}.{secret}", Hash(secret));
    }

    /// <summary>The key and its company when <paramref name="credential"/> is a live key, else <c>null</c>.</summary>
    public async Task<(string CompanyId, ApiKeyView Key)?> AuthenticateAsync(string credential)
    {
        var parts = credential.Split('.');
        if (parts.Length != 4 || parts[0] + "." != Prefix || !IsId(parts[1], 16) || !IsId(parts[2], 16) || parts[3].Length is < 40 or > 64)
        {
            return null;
        }

        var key = await grains.GetGrain<ICompanyApiKeysGrain>(parts[1]).AuthenticateAsync(parts[2], Hash(parts[3]));
        return key is null ? null : (parts[1], key);
    }

    /// <summary>The actor name an API key's changes are recorded under (history), or <c>null</c> for other callers.</summary>
    public static string? ActorOf(ClaimsPrincipal principal) =>
        principal.FindFirstValue(KeyIdClaim) is { } keyId ? "api-key:" + keyId : null;

    private static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    private static bool IsId(string value, int length) =>
        value.Length == length && value.All(c => char.IsAsciiDigit(c) || char.IsAsciiLetterLower(c));
}
