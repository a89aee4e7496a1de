using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;

namespace OrleansLicensing.Silo;

/// <summary>
/// The data source the AdoNet providers open their SQLite connections from. Every connection
/// gets SQLite's own busy handler (<c>PRAGMA busy_timeout</c>): when another connection holds
/// the write lock, SQLite waits inside the call in steps of a few milliseconds and proceeds as
/// soon as the lock is free. Without it the driver sees SQLITE_BUSY and retries on its own,
/// far more coarsely, which made every write collision cost a long sleep. The connection's
/// <c>synchronous</c> level is set too (<see cref="StorageSettings.SqliteSynchronous"/>).
/// Its connections hand grain-state writes to one <see cref="SqliteGroupCommit"/>, which commits
/// the writes that arrive together in one SQLite transaction.
/// </summary>
public sealed class SqliteDataSource(string connectionString, TimeSpan busyTimeout, SqliteSynchronous synchronous = SqliteSynchronous.Full) : DbDataSource
{
    private readonly string _pragmas = string.Create(CultureInfo.InvariantCulture,
        $"PRAGMA busy_timeout = {(long)busyTimeout.TotalMilliseconds}; PRAGMA synchronous = {(synchronous == SqliteSynchronous.Full ? "FULL" : "NORMAL")};");

    private static readonly object Configured = new();

    // The SQLite handles already given the pragmas (a handle leaves with its pooled connection).
    private readonly ConditionalWeakTable<SQLitePCL.sqlite3, object> _configured = [];

    private SqliteGroupCommit? _groupCommit;

    public override string ConnectionString => connectionString;

    /// <summary>The writer of this data source's grain-state writes (started with the first connection).</summary>
    public SqliteGroupCommit GroupCommit => LazyInitializer.EnsureInitialized(ref _groupCommit, () => new SqliteGroupCommit(OpenWriterConnection));

    protected override DbConnection CreateDbConnection()
    {
        var connection = new GroupCommitConnection(connectionString, GroupCommit);
        connection.StateChange += ConfigureOnOpen;
        return connection;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _groupCommit?.Dispose();
        }

        base.Dispose(disposing);
    }

    private SqliteConnection OpenWriterConnection()
    {
        var connection = new SqliteConnection(connectionString);
        connection.StateChange += ConfigureOnOpen;
        connection.Open();

        // The one writer keeps the pages it updates in its own cache (64 MB instead of SQLite's
        // 2 MB default), so a write rarely reads a page back from the file.
        using var cache = connection.CreateCommand();
        cache.CommandText = "PRAGMA cache_size = -65536;";
        cache.ExecuteNonQuery();
        return connection;
    }

    private void ConfigureOnOpen(object sender, StateChangeEventArgs change)
    {
        // A pooled connection keeps its SQLite handle, and the handle its pragmas, between opens:
        // configure each handle once, not on every open (the providers open one per call).
        var connection = (SqliteConnection)sender;
        if (change.CurrentState == ConnectionState.Open && change.OriginalState != ConnectionState.Open
            && connection.Handle is { } handle && _configured.TryAdd(handle, Configured))
        {
            using var command = connection.CreateCommand();
            command.CommandText = _pragmas;
            command.ExecuteNonQuery();
        }
    }
}
