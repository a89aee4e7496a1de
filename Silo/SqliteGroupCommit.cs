using System.Collections.Concurrent;
using System.Data;
using System.Data.Common;
using System.Collections;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace OrleansLicensing.Silo;

/// <summary>
/// Group commit for grain-state writes on SQLite. SQLite has one writer per file and, at full
/// durability, every commit waits for its own fsync: written one at a time, a unit move's seven
/// writes (the transaction's prepare and commit records of each participant) cost seven disk
/// flushes in a row, and the disk, not the CPU, capped license operations at about 210 per
/// second. Here the writes that arrive while a commit is on its way to disk wait in a queue; a
/// single writer thread takes all of them at once, runs each inside its own savepoint of ONE
/// SQLite transaction, and commits them with one fsync. A write is acknowledged only after that
/// commit returned, so durability is exactly what it was; a write that fails (a stale version
/// answers no row, which the provider turns into a conflict; a database error) fails alone and
/// leaves the other writes of its batch committed.
/// </summary>
/// <remarks>
/// The AdoNet provider keeps doing everything else — key columns, hashes, serialization, its own
/// SQL from <c>OrleansQuery</c> — through <see cref="GroupCommitConnection"/>; only the execution
/// of its write statements moves to this queue. Reads never queue (WAL lets them run beside the writer).
/// </remarks>
public sealed class SqliteGroupCommit : IDisposable
{
    /// <summary>The most writes one commit takes; a longer queue is committed in several.</summary>
    public const int MaxBatch = 256;

    private readonly BlockingCollection<PendingWrite> _queue = new(new ConcurrentQueue<PendingWrite>());
    private readonly Func<SqliteConnection> _openConnection;
    private readonly Thread _writer;
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);
    private long _commits;
    private long _writes;

    public SqliteGroupCommit(Func<SqliteConnection> openConnection)
    {
        _openConnection = openConnection;
        _writer = new Thread(Run) { IsBackground = true, Name = "sqlite-group-commit" };
        _writer.Start();
    }

    /// <summary>SQLite commits so far (each one fsync at full durability).</summary>
    public long Commits => Interlocked.Read(ref _commits);

    /// <summary>Writes committed or failed so far.</summary>
    public long Writes => Interlocked.Read(ref _writes);

    /// <summary>Grain-state writes of the storage provider's queries; everything else runs as before.</summary>
    public static bool Handles(string commandText) =>
        commandText.Contains("LicensingGrainState", StringComparison.Ordinal)
        && !commandText.AsSpan().TrimStart().StartsWith("SELECT", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Queues a write and completes once the transaction holding it is on disk, with the rows the
    /// statement returned (every result set, buffered).
    /// </summary>
    public Task<DbDataReader> ExecuteAsync(string commandText, SqliteParameterCollection parameters, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var copies = new SqliteParameter[parameters.Count];
        for (var i = 0; i < copies.Length; i++)
        {
            var source = parameters[i];
            copies[i] = new SqliteParameter(source.ParameterName, source.Value ?? DBNull.Value) { SqliteType = source.SqliteType, Size = source.Size };
        }

        var write = new PendingWrite(commandText, copies);
        try
        {
            _queue.Add(write, CancellationToken.None);
        }
        catch (InvalidOperationException)
        {
            throw new ObjectDisposedException(nameof(SqliteGroupCommit));
        }

        return write.Completion.Task;
    }

    public void Dispose()
    {
        _queue.CompleteAdding();
        _writer.Join(TimeSpan.FromSeconds(30));
        _queue.Dispose();
    }

    private void Run()
    {
        SqliteConnection? connection = null;
        var batch = new List<PendingWrite>(MaxBatch);
        try
        {
            while (_queue.TryTake(out var first, Timeout.Infinite))
            {
                batch.Add(first);
                while (batch.Count < MaxBatch && _queue.TryTake(out var next))
                {
                    batch.Add(next);
                }

                try
                {
                    connection ??= _openConnection();
                    Commit(connection, batch);
                }
                catch (Exception e)
                {
                    // The whole batch is undone (or never began): every write in it fails, as a
                    // single write would have; the connection is opened anew for the next batch.
                    DisposeCommands();
                    connection?.Dispose();
                    connection = null;
                    foreach (var write in batch)
                    {
                        write.Completion.TrySetException(e);
                    }
                }

                Interlocked.Add(ref _writes, batch.Count);
                batch.Clear();
            }
        }
        finally
        {
            DisposeCommands();
            connection?.Dispose();
        }
    }

    private void DisposeCommands()
    {
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }

        _commands.Clear();
    }

    private void Commit(SqliteConnection connection, List<PendingWrite> batch)
    {
        var results = new DbDataReader?[batch.Count];
        var failures = new Exception?[batch.Count];
        using (var transaction = connection.BeginTransaction(deferred: false))
        {
            for (var i = 0; i < batch.Count; i++)
            {
                var savepoint = "w" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                transaction.Save(savepoint);
                try
                {
                    results[i] = Execute(connection, transaction, batch[i]);
                    transaction.Release(savepoint);
                }
                catch (SqliteException e)
                {
                    transaction.Rollback(savepoint);
                    transaction.Release(savepoint);
                    failures[i] = e;
                }
            }

            transaction.Commit();
        }

        Interlocked.Increment(ref _commits);
        for (var i = 0; i < batch.Count; i++)
        {
            if (failures[i] is { } failure)
            {
                batch[i].Completion.TrySetException(failure);
            }
            else
            {
                batch[i].Completion.TrySetResult(results[i]!);
            }
        }
    }

    private BufferedReader Execute(SqliteConnection connection, SqliteTransaction transaction, PendingWrite write)
    {
        // One command per distinct statement text, kept with its prepared statements: the
        // provider sends a handful of texts, and preparing them anew for every write cost more
        // than running them.
        if (!_commands.TryGetValue(write.CommandText, out var command) || command.Connection != connection)
        {
            command?.Dispose();
            command = connection.CreateCommand();
            command.CommandText = write.CommandText;
            _commands[write.CommandText] = command;
        }

        command.Transaction = transaction;
        command.Parameters.Clear();
        command.Parameters.AddRange(write.Parameters);
        using var reader = command.ExecuteReader();
        var results = new List<BufferedReader.ResultSet>();
        do
        {
            var names = new string[reader.FieldCount];
            for (var column = 0; column < names.Length; column++)
            {
                names[column] = reader.GetName(column);
            }

            var rows = new List<object[]>();
            while (reader.Read())
            {
                var values = new object[names.Length];
                reader.GetValues(values);
                rows.Add(values);
            }

            results.Add(new BufferedReader.ResultSet(names, rows));
        }
        while (reader.NextResult());

        return new BufferedReader(results, reader.RecordsAffected);
    }

    private sealed record PendingWrite(string CommandText, SqliteParameter[] Parameters)
    {
        public TaskCompletionSource<DbDataReader> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>
/// The connection the AdoNet providers get from <see cref="SqliteDataSource"/>: an ordinary
/// SQLite connection whose commands send grain-state writes to the <see cref="SqliteGroupCommit"/>.
/// </summary>
public sealed class GroupCommitConnection(string connectionString, SqliteGroupCommit groupCommit) : SqliteConnection(connectionString)
{
    public override SqliteCommand CreateCommand() => new GroupCommitCommand(groupCommit) { Connection = this };

    private sealed class GroupCommitCommand(SqliteGroupCommit groupCommit) : SqliteCommand
    {
        protected override Task<DbDataReader> ExecuteDbDataReaderAsync(CommandBehavior behavior, CancellationToken cancellationToken) =>
            Transaction is null && SqliteGroupCommit.Handles(CommandText)
                ? groupCommit.ExecuteAsync(CommandText, Parameters, cancellationToken)
                : base.ExecuteDbDataReaderAsync(behavior, cancellationToken);
    }
}

/// <summary>
/// The rows a queued write returned, read after its transaction committed. Typed getters convert
/// (SQLite hands back 64-bit integers; a caller may ask for 32 bits), as the SQLite reader does.
/// </summary>
internal sealed class BufferedReader(List<BufferedReader.ResultSet> results, int recordsAffected) : DbDataReader
{
    private int _result;
    private int _row = -1;
    private bool _closed;

    internal sealed record ResultSet(string[] Names, List<object[]> Rows);

    private ResultSet Current => results[_result];

    private object[] Row => _row >= 0 && _row < Current.Rows.Count ? Current.Rows[_row] : throw new InvalidOperationException("No current row.");

    public override int FieldCount => Current.Names.Length;

    public override bool HasRows => Current.Rows.Count > 0;

    public override bool IsClosed => _closed;

    public override int RecordsAffected => recordsAffected;

    public override int Depth => 0;

    public override object this[int ordinal] => GetValue(ordinal);

    public override object this[string name] => GetValue(GetOrdinal(name));

    public override bool Read() => ++_row < Current.Rows.Count;

    public override bool NextResult()
    {
        if (_result + 1 >= results.Count)
        {
            return false;
        }

        _result++;
        _row = -1;
        return true;
    }

    public override void Close() => _closed = true;

    public override string GetName(int ordinal) => Current.Names[ordinal];

    public override int GetOrdinal(string name)
    {
        var index = Array.FindIndex(Current.Names, n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase));
        return index >= 0 ? index : throw new IndexOutOfRangeException(name);
    }

    public override object GetValue(int ordinal) => Row[ordinal];

    public override int GetValues(object[] values)
    {
        var count = Math.Min(values.Length, FieldCount);
        Array.Copy(Row, values, count);
        return count;
    }

    public override bool IsDBNull(int ordinal) => Row[ordinal] is DBNull or null;

    public override Type GetFieldType(int ordinal) => _row >= 0 && _row < Current.Rows.Count ? Row[ordinal].GetType() : typeof(object);

    public override string GetDataTypeName(int ordinal) => GetFieldType(ordinal).Name;

    public override bool GetBoolean(int ordinal) => Convert.ToBoolean(Row[ordinal], CultureInfo.InvariantCulture);

    public override byte GetByte(int ordinal) => Convert.ToByte(Row[ordinal], CultureInfo.InvariantCulture);

    public override char GetChar(int ordinal) => Convert.ToChar(Row[ordinal], CultureInfo.InvariantCulture);

    public override DateTime GetDateTime(int ordinal) => Convert.ToDateTime(Row[ordinal], CultureInfo.InvariantCulture);

    public override decimal GetDecimal(int ordinal) => Convert.ToDecimal(Row[ordinal], CultureInfo.InvariantCulture);

    public override double GetDouble(int ordinal) => Convert.ToDouble(Row[ordinal], CultureInfo.InvariantCulture);

    public override float GetFloat(int ordinal) => Convert.ToSingle(Row[ordinal], CultureInfo.InvariantCulture);

    public override Guid GetGuid(int ordinal) => Row[ordinal] is Guid guid ? guid : Guid.Parse(GetString(ordinal));

    public override short GetInt16(int ordinal) => Convert.ToInt16(Row[ordinal], CultureInfo.InvariantCulture);

    public override int GetInt32(int ordinal) => Convert.ToInt32(Row[ordinal], CultureInfo.InvariantCulture);

    public override long GetInt64(int ordinal) => Convert.ToInt64(Row[ordinal], CultureInfo.InvariantCulture);

    public override string GetString(int ordinal) => Convert.ToString(Row[ordinal], CultureInfo.InvariantCulture) ?? string.Empty;

    public override long GetBytes(int ordinal, long dataOffset, byte[]? buffer, int bufferOffset, int length) =>
        Copy((byte[])Row[ordinal], dataOffset, buffer, bufferOffset, length);

    public override long GetChars(int ordinal, long dataOffset, char[]? buffer, int bufferOffset, int length) =>
        Copy(GetString(ordinal).ToCharArray(), dataOffset, buffer, bufferOffset, length);

    public override IEnumerator GetEnumerator() => new DbEnumerator(this);

    private static long Copy<T>(T[] source, long dataOffset, T[]? buffer, int bufferOffset, int length)
    {
        if (buffer is null)
        {
            return source.Length;
        }

        var count = (int)Math.Max(0, Math.Min(length, source.Length - dataOffset));
        Array.Copy(source, dataOffset, buffer, bufferOffset, count);
        return count;
    }
}
