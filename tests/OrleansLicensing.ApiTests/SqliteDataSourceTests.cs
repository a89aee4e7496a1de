using Microsoft.Data.Sqlite;
using OrleansLicensing.Silo;

namespace OrleansLicensing.ApiTests;

/// <summary>The connections the storage providers get wait for SQLite's write lock inside SQLite.</summary>
public sealed class SqliteDataSourceTests
{
    [Theory]
    [InlineData(SqliteSynchronous.Full, 2L)]
    [InlineData(SqliteSynchronous.Normal, 1L)]
    public void Every_opened_connection_carries_the_configured_busy_timeout_and_durability(SqliteSynchronous synchronous, long pragmaValue)
    {
        var path = Path.Combine(Path.GetTempPath(), $"orleans-licensing-busy-{Guid.NewGuid():N}.db");
        var connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString();
        try
        {
            using var dataSource = new SqliteDataSource(connectionString, TimeSpan.FromSeconds(7), synchronous);
            for (var i = 0; i < 2; i++)
            {
                using var connection = dataSource.OpenConnection();
                Assert.Equal(7000L, Pragma(connection, "busy_timeout"));
                Assert.Equal(pragmaValue, Pragma(connection, "synchronous"));
            }
        }
        finally
        {
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
