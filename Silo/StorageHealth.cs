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
        if (settings.Provider == StorageProvider.PostgreSql)
        {
            return await CheckPostgreSqlAsync(settings, cancellationToken);
        }

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

    /// <summary>A fresh connection (outside the providers' pool) answers the query table within a few seconds.</summary>
    private static async Task<HealthCheckResult> CheckPostgreSqlAsync(StorageSettings settings, CancellationToken cancellationToken)
    {
        var connectionString = new Npgsql.NpgsqlConnectionStringBuilder(settings.ResolveConnectionString())
        {
            Pooling = false,
            Timeout = 3,
            CommandTimeout = 3,
        }.ToString();
        try
        {
            await using var connection = new Npgsql.NpgsqlConnection(connectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = new Npgsql.NpgsqlCommand("SELECT count(*) FROM orleansquery;", connection);
            var queries = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
            return queries > 0
                ? HealthCheckResult.Healthy("PostgreSQL answers.", new Dictionary<string, object> { ["queries"] = queries })
                : HealthCheckResult.Unhealthy("PostgreSQL answers but the schema is missing.");
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException or System.Net.Sockets.SocketException)
        {
            // The message names the failure, never the connection string (it holds the password).
            return HealthCheckResult.Unhealthy($"PostgreSQL is unavailable: {e.GetType().Name}.");
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
