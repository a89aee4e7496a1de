using System.Data;
using System.Data.Common;
using System.Globalization;
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
        return connection;
    }

    private void ConfigureOnOpen(object sender, StateChangeEventArgs change)
    {
        if (change.CurrentState == ConnectionState.Open && change.OriginalState != ConnectionState.Open)
        {
            using var command = ((SqliteConnection)sender).CreateCommand();
            command.CommandText = _pragmas;
            command.ExecuteNonQuery();
        }
    }
}
