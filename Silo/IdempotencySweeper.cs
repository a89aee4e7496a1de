using System.Data.Common;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using OrleansLicensing.Grains.Grains;
using OrleansLicensing.Grains.Ledger;

namespace OrleansLicensing.Silo;

/// <summary>
/// Deletes idempotency records past their retention (decision D104): every
/// <see cref="IdempotencyOptions.SweepInterval"/>, the rows of the <c>idempotency</c> state not
/// written for <see cref="IdempotencyOptions.RetentionDays"/> plus one day, in batches. A record
/// inside its retention is never touched (a retry finds it); one past it already answers as a
/// new key (<see cref="IdempotencyGrain"/>), so deleting it changes no answer. Every silo sweeps;
/// a row deleted twice is deleted once.
/// </summary>
public sealed class IdempotencySweeper(
    IServiceProvider services,
    IOptions<StorageSettings> storage,
    IOptions<SiloSettings> silo,
    IOptions<IdempotencyOptions> options,
    [FromKeyedServices(OrleansLicensing.Grains.LicensingClock.Key)] TimeProvider clock,
    ILogger<IdempotencySweeper> logger) : BackgroundService
{
    public const int BatchSize = 1000;

    /// <summary>Deletes the expired records now; returns how many.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var cutoff = clock.GetUtcNow() - TimeSpan.FromDays(options.Value.RetentionDays + 1);
        var total = 0;
        while (true)
        {
            var deleted = storage.Value.Provider switch
            {
                StorageProvider.Sqlite => await DeleteSqliteAsync(cutoff, cancellationToken),
                StorageProvider.PostgreSql => await DeletePostgreSqlAsync(cutoff, cancellationToken),
                _ => 0,
            };
            total += deleted;
            if (deleted < BatchSize)
            {
                break;
            }
        }

        if (total > 0)
        {
            logger.LogInformation("Deleted {Count} idempotency records not written since {Cutoff:O}", total, cutoff);
        }

        return total;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (storage.Value.Provider is not (StorageProvider.Sqlite or StorageProvider.PostgreSql))
        {
            return;
        }

        using var timer = new PeriodicTimer(options.Value.SweepInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await SweepAsync(stoppingToken);
                }
                catch (Exception e) when (e is DbException or TimeoutException or InvalidOperationException)
                {
                    logger.LogWarning(e, "The idempotency sweep failed; it runs again in {Interval}", options.Value.SweepInterval);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Shutting down.
        }
    }

    /// <summary>Through the node's data source: the delete queues with the grain-state writes (one writer).</summary>
    private async Task<int> DeleteSqliteAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        var dataSource = services.GetRequiredService<SqliteDataSource>();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            DELETE FROM LicensingGrainState
            WHERE (ServiceId, GrainType, GrainIdN0, GrainIdN1, GrainIdExtension) IN (
                SELECT ServiceId, GrainType, GrainIdN0, GrainIdN1, GrainIdExtension
                FROM LicensingGrainState
                WHERE ServiceId = @service AND GrainType = @type AND ModifiedUtc < @cutoff
                LIMIT @batch)
            """;
        Add(command, "service", silo.Value.ServiceId);
        Add(command, "type", IdempotencyGrain.StateName);
        Add(command, "cutoff", cutoff.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        Add(command, "batch", BatchSize);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return reader.RecordsAffected;
    }

    private Task<int> DeletePostgreSqlAsync(DateTimeOffset cutoff, CancellationToken cancellationToken) =>
        DeleteFromPostgreSqlAsync(storage.Value.ResolveConnectionString(), silo.Value.ServiceId, cutoff, cancellationToken);

    /// <summary>One batch of expired records of <paramref name="serviceId"/> from a PostgreSQL database; returns how many.</summary>
    public static async Task<int> DeleteFromPostgreSqlAsync(string connectionString, string serviceId, DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            DELETE FROM licensing_grain_state
            WHERE ctid IN (
                SELECT ctid FROM licensing_grain_state
                WHERE service_id = @service AND grain_type = @type AND modified_at < @cutoff
                LIMIT @batch)
            """;
        command.Parameters.AddWithValue("service", serviceId);
        command.Parameters.AddWithValue("type", IdempotencyGrain.StateName);
        command.Parameters.AddWithValue("cutoff", cutoff.UtcDateTime);
        command.Parameters.AddWithValue("batch", BatchSize);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
