using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using OrleansLicensing.Grains;

namespace OrleansLicensing.Silo;

/// <summary>
/// Readiness: the database answers on a fresh (unpooled) connection, so a database that went
/// away is noticed even while pooled connections still hold the old file open.
/// </summary>
public sealed class StorageHealthCheck(IOptions<StorageSettings> storage) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var settings = storage.Value;
        if (settings.Provider != StorageProvider.Sqlite)
        {
            return HealthCheckResult.Healthy($"{settings.Provider} storage is in-process.");
        }

        var connectionString = new SqliteConnectionStringBuilder(SqliteSchema.ConnectionString(settings))
        {
            Mode = SqliteOpenMode.ReadWrite,
            Pooling = false,
            DefaultTimeout = 5,
        }.ToString();
        try
        {
            await using var connection = new SqliteConnection(connectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM OrleansQuery;";
            var queries = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
            return queries > 0
                ? HealthCheckResult.Healthy("SQLite answers.", new Dictionary<string, object> { ["queries"] = queries })
                : HealthCheckResult.Unhealthy("SQLite answers but the schema is missing.");
        }
        catch (SqliteException e)
        {
            return HealthCheckResult.Unhealthy($"SQLite is unavailable: {e.SqliteErrorCode}.");
        }
    }
}

/// <summary>Readiness: this silo is an active member of its cluster.</summary>
public sealed class SiloHealthCheck(IClusterMembershipService membership, ILocalSiloDetails silo) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var snapshot = membership.CurrentSnapshot;
        var status = snapshot.GetSiloStatus(silo.SiloAddress);
        var data = new Dictionary<string, object>
        {
            ["silo"] = silo.SiloAddress.ToString(),
            ["status"] = status.ToString(),
            ["activeSilos"] = snapshot.Members.Values.Count(m => m.Status == SiloStatus.Active),
        };
        return Task.FromResult(status == SiloStatus.Active
            ? HealthCheckResult.Healthy("The silo is active in the cluster.", data)
            : HealthCheckResult.Unhealthy($"The silo is {status}.", data: data));
    }
}

/// <summary>Readiness: the license signing key is loaded and signs.</summary>
public sealed class SigningKeyHealthCheck(LicenseSigningKey key) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var probe = "readiness"u8.ToArray();
        var signature = key.Key.SignData(probe, System.Security.Cryptography.HashAlgorithmName.SHA256);
        return Task.FromResult(key.Key.VerifyData(probe, signature, System.Security.Cryptography.HashAlgorithmName.SHA256)
            ? HealthCheckResult.Healthy("The license signing key is loaded.")
            : HealthCheckResult.Unhealthy("The license signing key does not verify its own signature."));
    }
}
