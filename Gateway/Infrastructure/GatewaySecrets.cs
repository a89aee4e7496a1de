using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using OrleansLicensing.Silo;

namespace OrleansLicensing.Gateway.Infrastructure;

/// <summary>
/// The vendor API key and the token key. From configuration when set; otherwise a single node
/// with a data directory generates them once and keeps them there; in memory-only mode they
/// are generated per process.
/// </summary>
public sealed class GatewaySecrets
{
    public GatewaySecrets(IOptions<LicensingSettings> licensing, IOptions<StorageSettings> storage, ILogger<GatewaySecrets> logger)
    {
        var persistent = storage.Value.Provider == StorageProvider.Sqlite;
        VendorApiKey = licensing.Value.VendorApiKey is { Length: > 0 } configured
            ? configured
            : persistent
                ? LocalSecrets.GetOrCreate(storage.Value.DataDirectory, "vendor-api-key", "vendor API key (Licensing:VendorApiKey)", LocalSecrets.NewRandomKey, logger)
                : LocalSecrets.NewRandomKey();
        var tokenKey = licensing.Value.TokenSigningKey is { Length: > 0 } configuredToken
            ? configuredToken
            : persistent
                ? LocalSecrets.GetOrCreate(storage.Value.DataDirectory, "token-signing-key", "access-token signing key (Licensing:TokenSigningKey)", LocalSecrets.NewRandomKey, logger)
                : LocalSecrets.NewRandomKey();
        TokenKey = SHA256.HashData(Encoding.UTF8.GetBytes(tokenKey));
        _vendorKeyHash = SHA256.HashData(Encoding.UTF8.GetBytes(VendorApiKey));
    }

    private readonly byte[] _vendorKeyHash;

    public string VendorApiKey { get; }

    public byte[] TokenKey { get; }

    public bool IsVendorKey(string candidate) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(candidate)), _vendorKeyHash);
}
