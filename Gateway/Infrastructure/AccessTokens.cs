using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OrleansLicensing.Contracts;

namespace OrleansLicensing.Gateway.Infrastructure;

/// <summary>
/// The keys that sign and validate access tokens (HS256 JWTs), each with its key id (<c>kid</c>):
/// <c>Licensing:TokenSigningKey</c> (kid <c>default</c>), <c>Licensing:TokenSigningKeys:{kid}</c>
/// and the lines <c>kid secret</c> of <c>Licensing:TokenSigningKeysFile</c>. Every key validates;
/// <c>Licensing:ActiveTokenKeyId</c> (default <c>default</c>) signs. Rotation: add the new key on
/// every gateway, make it active, remove the old one once the last token it signed expired.
/// </summary>
public sealed class TokenSigningKeys
{
    public const string DefaultKeyId = "default";

    public TokenSigningKeys(IOptions<CredentialSettings> options)
    {
        var settings = options.Value;
        var secrets = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!string.IsNullOrEmpty(settings.TokenSigningKey))
        {
            secrets[DefaultKeyId] = settings.TokenSigningKey;
        }

        foreach (var (kid, secret) in settings.TokenSigningKeys)
        {
            secrets[kid] = secret;
        }

        if (!string.IsNullOrWhiteSpace(settings.TokenSigningKeysFile))
        {
            foreach (var line in File.ReadAllLines(settings.TokenSigningKeysFile))
            {
                var parts = line.Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                if (parts.Length == 2 && !parts[0].StartsWith('#'))
                {
                    secrets[parts[0]] = parts[1];
                }
            }
        }

        var errors = secrets.Where(s => s.Value.Length < 16).Select(s => $"Token signing key '{s.Key}' must have at least 16 characters.").ToList();
        var active = settings.ActiveTokenKeyId ?? DefaultKeyId;
        if (!secrets.ContainsKey(active))
        {
            errors.Add($"Licensing:ActiveTokenKeyId '{active}' names no configured token signing key (Licensing:TokenSigningKey, Licensing:TokenSigningKeys, Licensing:TokenSigningKeysFile).");
        }

        if (errors.Count > 0)
        {
            throw new OptionsValidationException(CredentialSettings.Section, typeof(CredentialSettings), errors);
        }

        // Any length of secret becomes a 256-bit HMAC key.
        All = [.. secrets.Select(s => new SymmetricSecurityKey(SHA256.HashData(Encoding.UTF8.GetBytes(s.Value))) { KeyId = s.Key })];
        Active = All.Single(k => k.KeyId == active);
    }

    public IReadOnlyList<SymmetricSecurityKey> All { get; }

    public SymmetricSecurityKey Active { get; }
}

/// <summary>
/// Issues the access tokens of users: JWTs (HS256, <c>kid</c> in the header) naming the e-mail
/// (<c>sub</c>) and the account's token generation (<c>gen</c>); validated by the ASP.NET Core
/// JWT bearer handler (see <see cref="BearerAuthentication"/>).
/// </summary>
public sealed class AccessTokens(TokenSigningKeys keys, TimeProvider time, IOptions<CredentialSettings> settings)
{
    public const string Issuer = "orleans-licensing";
    public const string Audience = "orleans-licensing-api";
    public const string GenerationClaim = "gen";

    private readonly JsonWebTokenHandler _handler = new();

    public int LifetimeSeconds => settings.Value.AccessTokenLifetimeSeconds;

    public string Issue(string email, int generation)
    {
        var now = time.GetUtcNow().UtcDateTime;
        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddSeconds(LifetimeSeconds),
            Claims = new Dictionary<string, object>
            {
                [JwtRegisteredClaimNames.Sub] = email,
                [JwtRegisteredClaimNames.Jti] = Guid.NewGuid().ToString("N"),
                [GenerationClaim] = generation,
            },
            SigningCredentials = new SigningCredentials(keys.Active, SecurityAlgorithms.HmacSha256),
        });
    }

    public TokenValidationParameters ValidationParameters() => new()
    {
        ValidIssuer = Issuer,
        ValidAudience = Audience,
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        IssuerSigningKeys = keys.All,
        RequireSignedTokens = true,
        RequireExpirationTime = true,
        ValidateLifetime = true,
        ClockSkew = TimeSpan.FromSeconds(settings.Value.TokenClockSkewSeconds),
        NameClaimType = JwtRegisteredClaimNames.Sub,
    };
}

/// <summary>
/// Whether a token's generation is still the account's (revocation): each gateway asks the user
/// grain at most once per <c>Licensing:TokenRevocationCheckMilliseconds</c> and user, so a
/// revoked token is refused on every gateway within that time.
/// </summary>
public sealed class TokenRevocations(IGrainFactory grains, TimeProvider time, IOptions<CredentialSettings> settings)
{
    private const int MaxCached = 100_000;
    private readonly ConcurrentDictionary<string, (int Generation, long CheckedAt)> _cache = new(StringComparer.Ordinal);

    public async ValueTask<bool> IsCurrentAsync(string email, int generation)
    {
        var now = time.GetTimestamp();
        if (_cache.TryGetValue(email, out var cached) && time.GetElapsedTime(cached.CheckedAt, now).TotalMilliseconds < settings.Value.TokenRevocationCheckMilliseconds)
        {
            return cached.Generation == generation;
        }

        var current = await grains.GetGrain<IUserGrain>(email).GetTokenGenerationAsync();
        if (_cache.Count >= MaxCached)
        {
            _cache.Clear();
        }

        _cache[email] = (current, now);
        return current == generation;
    }

    /// <summary>Drops what this gateway knows of a user's generation: after a revocation made through it, its next request asks the grain.</summary>
    public void Forget(string email) => _cache.TryRemove(email, out _);

    /// <summary>Reads the generation claim; <c>null</c> when it is missing or not a number.</summary>
    public static int? GenerationOf(ClaimsPrincipal principal) =>
        int.TryParse(principal.FindFirstValue(AccessTokens.GenerationClaim), NumberStyles.None, CultureInfo.InvariantCulture, out var generation) ? generation : null;
}

/// <summary>Refresh tokens: 256 random bits, held (hashed) by <see cref="IRefreshTokenGrain"/>.</summary>
public sealed class RefreshTokens(IGrainFactory grains, TimeProvider time, IOptions<CredentialSettings> settings)
{
    public int LifetimeSeconds => settings.Value.RefreshTokenLifetimeSeconds;

    public async Task<string> IssueAsync(string email, int generation)
    {
        var token = "rt_" + Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        await Grain(token).IssueAsync(email, generation, time.GetUtcNow().AddSeconds(settings.Value.RefreshTokenLifetimeSeconds));
        return token;
    }

    /// <summary>Uses up <paramref name="token"/>; its account and generation, or <c>null</c>.</summary>
    public Task<RefreshedSession?> RedeemAsync(string token) =>
        token.Length is < 20 or > 100 || !token.StartsWith("rt_", StringComparison.Ordinal)
            ? Task.FromResult<RefreshedSession?>(null)
            : Grain(token).RedeemAsync();

    private IRefreshTokenGrain Grain(string token) =>
        grains.GetGrain<IRefreshTokenGrain>(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token))));
}
