using Microsoft.Data.Sqlite;
using OrleansLicensing.Silo;

namespace OrleansLicensing.ApiTests;

/// <summary>The connections the storage providers get wait for SQLite's write lock inside SQLite.</summary>
public sealed class SqliteDataSourceTests
{
    [Fact]
    public void Every_opened_connection_carries_the_configured_busy_timeout()
    {
        var path = Path.Combine(Path.GetTempPath(), $"orleans-licensing-busy-{Guid.NewGuid():N}.db");
        var connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString();
        try
        {
            using var dataSource = new SqliteDataSource(connectionString, TimeSpan.FromSeconds(7));
            for (var i = 0; i < 2; i++)
            {
                using var connection = dataSource.OpenConnection();
                using var command = connection.CreateCommand();
                command.CommandText = "PRAGMA busy_timeout;";
                Assert.Equal(7000L, Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        finally
        {
            File.Delete(path);
        }
    }
}
