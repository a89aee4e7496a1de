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

    /// <summary>Secret that signs access tokens (<c>Licensing:TokenSigningKey</c>), shared by all gateways.</summary>
    [Required(ErrorMessage = "Licensing:TokenSigningKey must be set (signs access tokens; the same on every gateway).")]
    [MinLength(16, ErrorMessage = "Licensing:TokenSigningKey must have at least 16 characters.")]
    public string? TokenSigningKey { get; set; }

    [Range(60, 7 * 24 * 3600)]
    public int AccessTokenLifetimeSeconds { get; set; } = 3600;
}

/// <summary>The vendor API key and the token key, derived once from <see cref="CredentialSettings"/>.</summary>
public sealed class GatewaySecrets(IOptions<CredentialSettings> settings)
{
    private readonly byte[] _vendorKeyHash = SHA256.HashData(Encoding.UTF8.GetBytes(settings.Value.VendorApiKey!));

    public byte[] TokenKey { get; } = SHA256.HashData(Encoding.UTF8.GetBytes(settings.Value.TokenSigningKey!));

    public bool IsVendorKey(string candidate) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(candidate)), _vendorKeyHash);
}
