using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace OrleansLicensing.Silo;

/// <summary>
/// Applies the project's own SQLite scripts (embedded under <c>Sql/Sqlite</c>) in name order.
/// Every script is idempotent, so this runs at every start; each script is one transaction.
/// </summary>
public static class SqliteSchema
{
    private const string ResourcePrefix = "OrleansLicensing.Silo.Sql.Sqlite.";

    public static string ConnectionString(StorageSettings settings) => new SqliteConnectionStringBuilder
    {
        DataSource = settings.DatabasePath(),
        Mode = SqliteOpenMode.ReadWriteCreate,
        Pooling = true,
        DefaultTimeout = settings.SqliteBusyTimeoutSeconds,
    }.ToString();

    public static void Apply(string connectionString, ILogger logger)
    {
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using (var wal = connection.CreateCommand())
        {
            // WAL lets polls read while the ledger writes; it is a property of the file and persists.
            wal.CommandText = "PRAGMA journal_mode = WAL;";
            wal.ExecuteNonQuery();
        }

        var assembly = typeof(SqliteSchema).Assembly;
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            var script = reader.ReadToEnd();
            using var transaction = connection.BeginTransaction();
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = script;
            command.ExecuteNonQuery();
            transaction.Commit();
            logger.LogDebug("Applied SQLite script {Script}", name[ResourcePrefix.Length..]);
        }
    }
}
