using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;


namespace OrleansLicensing.Gateway.Infrastructure;

/// <summary>
/// Access tokens for users: <c>v1.{payload}.{mac}</c>, where the payload names the e-mail and
/// the expiry and the mac is HMAC-SHA256 under the cluster's token key. Stateless, so any
/// gateway instance that shares the key accepts them.
/// </summary>
public sealed class AccessTokens(GatewaySecrets secrets, TimeProvider time, IOptions<CredentialSettings> settings)
{
    private const string Prefix = "v1.";

    public int LifetimeSeconds => settings.Value.AccessTokenLifetimeSeconds;

    public string Issue(string email)
    {
        var expires = time.GetUtcNow().AddSeconds(LifetimeSeconds).ToUnixTimeSeconds();
        var payload = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new TokenPayload(email, expires)));
        return Prefix + payload + "." + Sign(payload);
    }

    /// <summary>The e-mail the token was issued to, or <c>null</c> when it is forged, malformed or expired.</summary>
    public string? Validate(string token)
    {
        if (!token.StartsWith(Prefix, StringComparison.Ordinal) || token.Length > 2048)
        {
            return null;
        }

        var parts = token[Prefix.Length..].Split('.');
        if (parts.Length != 2 || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(parts[0])), Encoding.ASCII.GetBytes(parts[1])))
        {
            return null;
        }

        try
        {
            var payload = JsonSerializer.Deserialize<TokenPayload>(Base64Url.DecodeFromChars(parts[0]));
            return payload is not null && payload.Exp > time.GetUtcNow().ToUnixTimeSeconds() ? payload.Sub : null;
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            return null;
        }
    }

    private string Sign(string payload) =>
        Base64Url.EncodeToString(HMACSHA256.HashData(secrets.TokenKey, Encoding.ASCII.GetBytes(payload)));

    private sealed record TokenPayload(string Sub, long Exp);
}
