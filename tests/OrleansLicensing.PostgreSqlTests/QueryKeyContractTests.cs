using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using OrleansLicensing.Silo;

namespace OrleansLicensing.PostgreSqlTests;

/// <summary>
/// Our SQL answers every query key the Orleans AdoNet providers ask for, on both databases, and
/// our scripts can run again on a database that already has them. The keys come from the
/// provider assemblies themselves, so an Orleans upgrade that adds a key fails here first.
/// </summary>
public sealed partial class QueryKeyContractTests(PostgresServer postgres)
{
    /// <summary>Clustering and reminders: the providers refuse to start unless every property of their internal <c>DbStoredQueries</c> has a row.</summary>
    public static IReadOnlySet<string> StoredQueryKeys(Assembly provider)
    {
        var type = provider.GetTypes().Single(t => t.Name == "DbStoredQueries");
        return type.GetProperties(BindingFlags.Instance | BindingFlags.NonPublic).Where(p => p.PropertyType == typeof(string)).Select(p => p.Name).ToHashSet();
    }

    /// <summary>Grain storage: the keys named in the provider's own initialisation query.</summary>
    public static IReadOnlySet<string> GrainStorageKeys() =>
        QuotedKey().Matches(Orleans.Storage.AdoNetGrainStorage.DefaultInitializationQuery).Select(m => m.Groups[1].Value).ToHashSet();

    public static IReadOnlySet<string> ClusteringKeys => StoredQueryKeys(typeof(Orleans.Configuration.AdoNetClusteringSiloOptions).Assembly);

    public static IReadOnlySet<string> ReminderKeys => StoredQueryKeys(typeof(Orleans.Configuration.AdoNetReminderTableOptions).Assembly);

    [Fact]
    public void The_providers_ask_for_the_keys_we_expect_to_find_in_them()
    {
        // Guards the derivation itself: an empty set would make the checks below vacuous.
        Assert.Contains("CleanupDefunctSiloEntriesKey", ClusteringKeys);
        Assert.Equal(9, ClusteringKeys.Count);
        Assert.Contains("UpsertReminderRowKey", ReminderKeys);
        Assert.Equal(7, ReminderKeys.Count);
        Assert.Equal(["ClearStorageKey", "DeleteStorageKey", "ReadFromStorageKey", "WriteToStorageKey"], GrainStorageKeys().Order());
    }

    [Fact]
    public void SQLite_answers_every_grain_storage_and_reminder_key_and_its_scripts_run_twice()
    {
        var path = Path.Combine(Path.GetTempPath(), $"orleans-licensing-keys-{Guid.NewGuid():N}.db");
        var connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString();
        try
        {
            SqliteSchema.Apply(connectionString, NullLogger.Instance);
            SqliteSchema.Apply(connectionString, NullLogger.Instance);

            using var connection = new SqliteConnection(connectionString);
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT QueryKey FROM OrleansQuery;";
            var present = new HashSet<string>();
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    present.Add(reader.GetString(0));
                }
            }

            // A single node uses localhost clustering: no membership keys on SQLite.
            Assert.Empty(GrainStorageKeys().Concat(ReminderKeys).Except(present));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task PostgreSQL_answers_every_key_of_the_three_providers()
    {
        var database = await postgres.CreateDatabaseAsync();
        await PostgreSqlSchema.ApplyAsync(database, NullLogger.Instance, TestContext.Current.CancellationToken);

        var present = await QueryKeysAsync(database);
        var missing = GrainStorageKeys().Concat(ReminderKeys).Concat(ClusteringKeys).Except(present).ToArray();
        Assert.True(missing.Length == 0, "missing query keys: " + string.Join(", ", missing));
    }

    [Fact]
    public async Task PostgreSQL_grain_storage_connections_go_back_to_the_pool_without_a_session_reset_unless_the_operator_asks()
    {
        var ct = TestContext.Current.CancellationToken;
        var database = await postgres.CreateDatabaseAsync();
        Assert.True(new NpgsqlConnectionStringBuilder(PostgreSqlSchema.ForGrainStorage(database)).NoResetOnClose);
        Assert.False(new NpgsqlConnectionStringBuilder(PostgreSqlSchema.ForGrainStorage(database + ";No Reset On Close=false")).NoResetOnClose);

        // One pooled connection: what a query leaves in the session is still there for the next
        // one (D125) — which is why the provider's queries must leave nothing behind.
        async Task<string> RoundTripAsync(string connectionString)
        {
            await using (var first = new NpgsqlConnection(connectionString))
            {
                await first.OpenAsync(ct);
                await using var set = new NpgsqlCommand("SET application_name = 'left-behind'", first);
                await set.ExecuteNonQueryAsync(ct);
            }

            await using var second = new NpgsqlConnection(connectionString);
            await second.OpenAsync(ct);
            await using var show = new NpgsqlCommand("SHOW application_name", second);
            return (string)(await show.ExecuteScalarAsync(ct))!;
        }

        Assert.Equal("left-behind", await RoundTripAsync(PostgreSqlSchema.ForGrainStorage(database + ";Maximum Pool Size=1;Application Name=pooled-a")));
        Assert.Equal("pooled-b", await RoundTripAsync(PostgreSqlSchema.ForGrainStorage(database + ";Maximum Pool Size=1;Application Name=pooled-b;No Reset On Close=false")));
    }

    [Fact]
    public async Task PostgreSQL_grain_storage_prepares_its_write_and_keeps_working_after_a_schema_change()
    {
        var ct = TestContext.Current.CancellationToken;
        var database = await postgres.CreateDatabaseAsync();
        await PostgreSqlSchema.ApplyAsync(database, NullLogger.Instance, ct);
        Assert.Equal(16, new NpgsqlConnectionStringBuilder(PostgreSqlSchema.ForGrainStorage(database)).MaxAutoPrepare);
        Assert.Equal(0, new NpgsqlConnectionStringBuilder(PostgreSqlSchema.ForGrainStorage(database + ";Max Auto Prepare=0")).MaxAutoPrepare);

        await using var connection = new NpgsqlConnection(PostgreSqlSchema.ForGrainStorage(database));
        await connection.OpenAsync(ct);
        string write;
        await using (var query = new NpgsqlCommand("SELECT querytext FROM orleansquery WHERE querykey = 'WriteToStorageKey'", connection))
        {
            write = (string)(await query.ExecuteScalarAsync(ct))!;
        }

        int? version = null;
        async Task WriteAsync()
        {
            await using var command = new NpgsqlCommand(write, connection);
            command.Parameters.AddWithValue("ServiceId", "prepared-test");
            command.Parameters.AddWithValue("GrainTypeString", "grain");
            command.Parameters.AddWithValue("GrainIdN0", 0L);
            command.Parameters.AddWithValue("GrainIdN1", 0L);
            command.Parameters.AddWithValue("GrainIdExtensionString", "key");
            command.Parameters.AddWithValue("GrainTypeHash", 1);
            command.Parameters.AddWithValue("GrainIdHash", 2);
            command.Parameters.AddWithValue("PayloadBinary", new byte[] { 1, 2, 3 });
            command.Parameters.Add(new NpgsqlParameter("GrainStateVersion", NpgsqlTypes.NpgsqlDbType.Integer) { Value = (object?)version ?? DBNull.Value });
            version = Convert.ToInt32(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
        }

        for (var i = 0; i < 4; i++)
        {
            await WriteAsync();
        }

        Assert.Equal(4, version);
        await using (var prepared = new NpgsqlCommand("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%licensing_grain_state%'", connection))
        {
            Assert.True((long)(await prepared.ExecuteScalarAsync(ct))! >= 1, "the write was not prepared");
        }

        // An upgrade script changes the table under the prepared write: the next writes still work.
        await using (var alter = new NpgsqlCommand("ALTER TABLE licensing_grain_state ADD COLUMN upgrade_probe integer NULL", connection))
        {
            await alter.ExecuteNonQueryAsync(ct);
        }

        await WriteAsync();
        await WriteAsync();
        Assert.Equal(6, version);
    }

    [Fact]
    public async Task PostgreSQL_scripts_run_twice_by_hand_and_the_migration_applies_each_once()
    {
        var ct = TestContext.Current.CancellationToken;

        // Every script, run by hand twice in a row on one database, succeeds both times.
        var byHand = await postgres.CreateDatabaseAsync();
        await using (var connection = new NpgsqlConnection(byHand))
        {
            await connection.OpenAsync(ct);
            foreach (var _ in new[] { 1, 2 })
            {
                foreach (var (_, _, sql) in PostgreSqlSchema.Scripts)
                {
                    await using var command = new NpgsqlCommand(sql, connection);
                    await command.ExecuteNonQueryAsync(ct);
                }
            }
        }

        // The migration records what it applied and applies nothing the second time.
        var migrated = await postgres.CreateDatabaseAsync();
        var first = await PostgreSqlSchema.ApplyAsync(migrated, NullLogger.Instance, ct);
        var second = await PostgreSqlSchema.ApplyAsync(migrated, NullLogger.Instance, ct);
        Assert.Equal(PostgreSqlSchema.Scripts.Select(s => s.Name), first);
        Assert.Empty(second);

        await using var check = new NpgsqlConnection(migrated);
        await check.OpenAsync(ct);
        await using var versions = new NpgsqlCommand("SELECT max(version) FROM licensing_schema_version;", check);
        Assert.Equal(PostgreSqlSchema.LatestVersion, Convert.ToInt32(await versions.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture));

        // Both databases end with the same query rows.
        Assert.Equal((await QueryKeysAsync(byHand)).Order(), (await QueryKeysAsync(migrated)).Order());
    }

    [Fact]
    public async Task Silos_starting_together_apply_the_scripts_once()
    {
        var database = await postgres.CreateDatabaseAsync();
        var runs = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => PostgreSqlSchema.ApplyAsync(database, NullLogger.Instance))));
        Assert.Equal(PostgreSqlSchema.Scripts.Count, runs.Sum(r => r.Count));
    }

    private static async Task<HashSet<string>> QueryKeysAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT querykey FROM orleansquery;", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var keys = new HashSet<string>();
        while (await reader.ReadAsync())
        {
            keys.Add(reader.GetString(0));
        }

        return keys;
    }

    [GeneratedRegex(@"'(\w+Key)'")]
    private static partial Regex QuotedKey();
}
