using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using OrleansLicensing.Silo;

namespace OrleansLicensing.PostgreSqlTests;

/// <summary>The idempotency sweep (D104) on PostgreSQL: only this service's idempotency rows older than the cutoff go, in batches.</summary>
public sealed class IdempotencySweepTests(PostgresServer postgres)
{
    [Fact]
    public async Task The_sweep_deletes_expired_idempotency_rows_of_its_service_only_in_batches()
    {
        var ct = TestContext.Current.CancellationToken;
        var database = await postgres.CreateDatabaseAsync();
        await PostgreSqlSchema.ApplyAsync(database, NullLogger.Instance, ct);
        var now = DateTimeOffset.UtcNow;
        await using (var connection = new NpgsqlConnection(database))
        {
            await connection.OpenAsync(ct);
            await InsertAsync(connection, "svc", "idempotency", IdempotencySweeper.BatchSize + 5, now.AddDays(-10), "old");
            await InsertAsync(connection, "svc", "idempotency", 3, now.AddDays(-1), "recent");
            await InsertAsync(connection, "svc", "deviceLots", 2, now.AddDays(-30), "other-state");
            await InsertAsync(connection, "other-service", "idempotency", 2, now.AddDays(-30), "other-service");
        }

        var cutoff = now.AddDays(-8);
        Assert.Equal(IdempotencySweeper.BatchSize, await IdempotencySweeper.DeleteFromPostgreSqlAsync(database, "svc", cutoff, ct));
        Assert.Equal(5, await IdempotencySweeper.DeleteFromPostgreSqlAsync(database, "svc", cutoff, ct));
        Assert.Equal(0, await IdempotencySweeper.DeleteFromPostgreSqlAsync(database, "svc", cutoff, ct));

        await using var check = new NpgsqlConnection(database);
        await check.OpenAsync(ct);
        await using var count = new NpgsqlCommand("SELECT grain_id_extension, count(*) FROM licensing_grain_state GROUP BY grain_id_extension ORDER BY 1", check);
        var left = new Dictionary<string, long>();
        await using (var reader = await count.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                left[reader.GetString(0)] = reader.GetInt64(1);
            }
        }

        Assert.Equal(new Dictionary<string, long> { ["other-service"] = 2, ["other-state"] = 2, ["recent"] = 3 }, left);
    }

    private static async Task InsertAsync(NpgsqlConnection connection, string service, string type, int rows, DateTimeOffset modified, string tag)
    {
        await using var command = new NpgsqlCommand("""
            INSERT INTO licensing_grain_state (service_id, grain_type, grain_id_n0, grain_id_n1, grain_id_extension, grain_type_hash, grain_id_hash, payload, version, modified_at)
            SELECT @service, @type, n, 0, @tag, 0, 0, '\x00'::bytea, 1, @modified FROM generate_series(1, @rows) AS n
            """, connection);
        command.Parameters.AddWithValue("service", service);
        command.Parameters.AddWithValue("type", type);
        command.Parameters.AddWithValue("tag", tag);
        command.Parameters.AddWithValue("modified", modified.UtcDateTime);
        command.Parameters.AddWithValue("rows", rows);
        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }
}
