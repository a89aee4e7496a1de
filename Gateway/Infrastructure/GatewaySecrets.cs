using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace OrleansLicensing.Gateway.Infrastructure;

/// <summary>
/// Configuration section <c>Licensing</c> as the gateway reads it: the credentials it checks.
/// A gateway process needs both keys from configuration (every gateway of a cluster the same);
/// the single-node host fills them from its data directory when they are not set.
/// </summary>
public sealed class CredentialSettings
{
    public const string Section = "Licensing";

    /// <summary>Bearer key of the vendor API (<c>Licensing:VendorApiKey</c>).</summary>
    [Required(ErrorMessage = "Licensing:VendorApiKey must be set (the vendor API's bearer key).")]
    [MinLength(16, ErrorMessage = "Licensing:VendorApiKey must have at least 16 characters.")]
    public string? VendorApiKey { get; set; }

    /// <summary>
    /// Secret of the token signing key with id <c>default</c> (<c>Licensing:TokenSigningKey</c>);
    /// more keys come from <see cref="TokenSigningKeys"/> and <see cref="TokenSigningKeysFile"/>.
    /// Every gateway of a cluster needs the same keys.
    /// </summary>
    public string? TokenSigningKey { get; set; }

    /// <summary>Further token signing keys by key id (<c>Licensing:TokenSigningKeys:{kid}</c>): all validate, one signs.</summary>
    public Dictionary<string, string> TokenSigningKeys { get; set; } = [];

    /// <summary>A file of token signing keys, one <c>kid secret</c> per line (a mounted secret).</summary>
    public string? TokenSigningKeysFile { get; set; }

    /// <summary>The key id that signs new access tokens (<c>Licensing:ActiveTokenKeyId</c>, default <c>default</c>).</summary>
    public string? ActiveTokenKeyId { get; set; }

    /// <summary>Access-token lifetime; short, since a refresh token gets a new one.</summary>
    [Range(60, 24 * 3600)]
    public int AccessTokenLifetimeSeconds { get; set; } = 900;

    /// <summary>Refresh-token lifetime (each one is used once and replaced).</summary>
    [Range(300, 90 * 24 * 3600)]
    public int RefreshTokenLifetimeSeconds { get; set; } = 14 * 24 * 3600;

    /// <summary>Tolerated clock difference between gateways when checking token lifetimes.</summary>
    [Range(0, 300)]
    public int TokenClockSkewSeconds { get; set; } = 30;

    /// <summary>How long a gateway trusts its last look at a user's token generation: a revoked token is refused within this time.</summary>
    [Range(0, 60_000)]
    public int TokenRevocationCheckMilliseconds { get; set; } = 500;

    /// <summary>Failed sign-ins of one account before back-off starts.</summary>
    [Range(1, 1000)]
    public int LoginFreeFailuresPerAccount { get; set; } = 5;

    /// <summary>Failed sign-ins from one client address (any accounts) before back-off starts.</summary>
    [Range(1, 100_000)]
    public int LoginFreeFailuresPerAddress { get; set; } = 50;

    /// <summary>The first back-off; each further failure doubles it.</summary>
    [Range(1, 3600)]
    public int LoginBaseDelaySeconds { get; set; } = 1;

    /// <summary>The longest back-off.</summary>
    [Range(1, 24 * 3600)]
    public int LoginMaxDelaySeconds { get; set; } = 900;
}

/// <summary>The vendor API key, derived once from <see cref="CredentialSettings"/>.</summary>
public sealed class GatewaySecrets(IOptions<CredentialSettings> settings)
{
    private readonly byte[] _vendorKeyHash = SHA256.HashData(Encoding.UTF8.GetBytes(settings.Value.VendorApiKey!));

    public bool IsVendorKey(string candidate) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(candidate)), _vendorKeyHash);
}
