using Microsoft.Extensions.Logging;
using Npgsql;

namespace OrleansLicensing.Silo;

/// <summary>
/// Brings a PostgreSQL database to the schema this build needs: the project's own scripts
/// (embedded from <c>Sql/PostgreSql</c>, named <c>NNN-what.sql</c>) that the database has not
/// recorded yet in <c>licensing_schema_version</c>, in order, all in one transaction under an
/// advisory lock, so silos starting together apply each script once and a failed script
/// leaves the database as it was. A later schema change is a new script with the next number.
/// Every script is also idempotent on its own, so applying one by hand twice does no harm.
/// </summary>
public static class PostgreSqlSchema
{
    /// <summary>The invariant that selects the AdoNet providers' PostgreSQL dialect and loads Npgsql.</summary>
    public const string Invariant = "Npgsql";

    private const string ResourcePrefix = "OrleansLicensing.Silo.Sql.PostgreSql.";

    /// <summary>Any constant the other users of advisory locks in this database do not use: "LICENSIN" in ASCII.</summary>
    private const long MigrationLock = 0x4C4943454E53494E;

    /// <summary>The embedded scripts by version, in order.</summary>
    public static IReadOnlyList<(int Version, string Name, string Sql)> Scripts { get; } = LoadScripts();

    /// <summary>Applies the scripts the database lacks; answers the names of those it applied.</summary>
    public static async Task<IReadOnlyList<string>> ApplyAsync(string connectionString, ILogger logger, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock({MigrationLock});", cancellationToken);
        await ExecuteAsync(connection, transaction, """
            CREATE TABLE IF NOT EXISTS licensing_schema_version
            (
                version    integer      NOT NULL PRIMARY KEY,
                script     varchar(200) NOT NULL,
                applied_at timestamptz  NOT NULL DEFAULT now()
            );
            """, cancellationToken);

        var applied = new HashSet<int>();
        await using (var read = new NpgsqlCommand("SELECT version FROM licensing_schema_version;", connection, transaction))
        await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                applied.Add(reader.GetInt32(0));
            }
        }

        var names = new List<string>();
        foreach (var (version, name, sql) in Scripts.Where(s => !applied.Contains(s.Version)))
        {
            await ExecuteAsync(connection, transaction, sql, cancellationToken);
            await using var record = new NpgsqlCommand("INSERT INTO licensing_schema_version (version, script) VALUES ($1, $2);", connection, transaction);
            record.Parameters.Add(new NpgsqlParameter { Value = version });
            record.Parameters.Add(new NpgsqlParameter { Value = name });
            await record.ExecuteNonQueryAsync(cancellationToken);
            names.Add(name);
        }

        await transaction.CommitAsync(cancellationToken);
        foreach (var name in names)
        {
            logger.LogInformation("Applied PostgreSQL schema script {Script}", name);
        }

        return names;
    }

    /// <summary>The highest script version this build carries.</summary>
    public static int LatestVersion => Scripts[^1].Version;

    /// <summary>
    /// The connection string the grain storage uses: the operator's, with Npgsql's automatic
    /// preparation turned on unless the operator set it (D120), and no session reset when a
    /// connection goes back to the pool (D125). The provider sends the same few
    /// statements (read, write, clear) for every grain; prepared once per connection, PostgreSQL
    /// no longer parses and plans each write. Npgsql drops a prepared statement when the table's
    /// schema changes, so an upgrade script does not break a running silo's statements.
    /// </summary>
    public static string ForGrainStorage(string connectionString)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        bool Given(string keyword) => given.Keys.Cast<string>().Any(key => key.Replace(" ", string.Empty, StringComparison.Ordinal).Equals(keyword, StringComparison.OrdinalIgnoreCase));
        if (!Given("MaxAutoPrepare"))
        {
            builder.MaxAutoPrepare = 16;
            builder.AutoPrepareMinUsages = 2;
        }

        // D125: the provider takes a pooled connection per query and leaves no session state
        // behind (no SET, temporary table, cursor, LISTEN or advisory lock), so resetting the
        // session on every return to the pool is work PostgreSQL does for nothing.
        if (!Given("NoResetOnClose"))
        {
            builder.NoResetOnClose = true;
        }

        return builder.ConnectionString;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static List<(int, string, string)> LoadScripts()
    {
        var assembly = typeof(PostgreSqlSchema).Assembly;
        var scripts = new List<(int, string, string)>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var name = resource[ResourcePrefix.Length..];
            var version = int.Parse(name[..name.IndexOf('-', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture);
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            scripts.Add((version, name, reader.ReadToEnd()));
        }

        if (scripts.Select(s => s.Item1).Distinct().Count() != scripts.Count)
        {
            throw new InvalidOperationException("Two PostgreSQL schema scripts carry the same version number.");
        }

        return scripts;
    }
}
