using Microsoft.Data.Sqlite;
using OrleansLicensing.Silo;

namespace OrleansLicensing.ApiTests;

/// <summary>The connections the storage providers get wait for SQLite's write lock inside SQLite.</summary>
public sealed class SqliteDataSourceTests
{
    [Theory]
    [InlineData(SqliteSynchronous.Full, 2L, false)]
    [InlineData(SqliteSynchronous.Normal, 1L, false)]
    [InlineData(SqliteSynchronous.Full, 2L, true)]
    [InlineData(SqliteSynchronous.Normal, 1L, true)]
    public void Every_opened_connection_carries_the_configured_busy_timeout_and_durability(SqliteSynchronous synchronous, long pragmaValue, bool pooling)
    {
        var path = Path.Combine(Path.GetTempPath(), $"orleans-licensing-busy-{Guid.NewGuid():N}.db");
        var connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = pooling }.ToString();
        try
        {
            using var dataSource = new SqliteDataSource(connectionString, TimeSpan.FromSeconds(7), synchronous);
            for (var i = 0; i < 3; i++)
            {
                // Reopened (a pooled handle comes back with its pragmas) and beside a second one (a new handle).
                using var connection = dataSource.OpenConnection();
                using var beside = dataSource.OpenConnection();
                foreach (var open in new[] { connection, beside })
                {
                    Assert.Equal(7000L, Pragma(open, "busy_timeout"));
                    Assert.Equal(pragmaValue, Pragma(open, "synchronous"));
                }
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            File.Delete(path);
        }
    }

    private static long Pragma(System.Data.Common.DbConnection connection, string name)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA {name};";
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
