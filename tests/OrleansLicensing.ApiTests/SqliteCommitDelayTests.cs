using Microsoft.Data.Sqlite;
using OrleansLicensing.Silo;

namespace OrleansLicensing.ApiTests;

/// <summary>
/// The group commit's delay (D119): under a steady stream of writes a commit waits for more to
/// share its fsync; a write that comes alone after a pause commits at once.
/// </summary>
public sealed class SqliteCommitDelayTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"orleans-licensing-delay-{Guid.NewGuid():N}.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        File.Delete(_path);
    }

    [Fact]
    public async Task Steady_writers_share_delayed_commits_and_a_lone_write_after_a_pause_is_not_delayed()
    {
        var connectionString = new SqliteConnectionStringBuilder { DataSource = _path }.ToString();
        await using (var setup = new SqliteConnection(connectionString))
        {
            await setup.OpenAsync(TestContext.Current.CancellationToken);
            await using var create = setup.CreateCommand();
            create.CommandText = "PRAGMA journal_mode = WAL; CREATE TABLE Writes (Writer INTEGER, Seq INTEGER, PRIMARY KEY (Writer, Seq));";
            await create.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        using var commit = new SqliteGroupCommit(() => Open(connectionString), TimeSpan.FromMilliseconds(20));

        // Four writers, each waiting for its write before the next: a steady stream.
        const int Writers = 4, PerWriter = 60;
        await Task.WhenAll(Enumerable.Range(0, Writers).Select(writer => Task.Run(async () =>
        {
            for (var seq = 0; seq < PerWriter; seq++)
            {
                await InsertAsync(commit, writer, seq);
            }
        })));

        Assert.Equal(Writers * PerWriter, commit.Writes);
        Assert.True(commit.DelayedCommits > 0, "no commit waited for more writes");
        Assert.True(commit.Commits * 2 <= commit.Writes, $"{commit.Commits} commits for {commit.Writes} writes");

        // After a pause the earlier rate is forgotten: a lone write commits without waiting.
        await Task.Delay(SqliteGroupCommit.RateMemory * 10, TestContext.Current.CancellationToken);
        var delayed = commit.DelayedCommits;
        await InsertAsync(commit, Writers, 0);
        Assert.Equal(delayed, commit.DelayedCommits);

        // Every acknowledged write is on disk.
        await using var check = new SqliteConnection(connectionString);
        await check.OpenAsync(TestContext.Current.CancellationToken);
        await using var count = check.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM Writes";
        Assert.Equal((Writers * PerWriter) + 1L, (long)(await count.ExecuteScalarAsync(TestContext.Current.CancellationToken))!);
    }

    private static SqliteConnection Open(string connectionString)
    {
        var connection = new SqliteConnection(connectionString);
        connection.Open();
        return connection;
    }

    private static async Task InsertAsync(SqliteGroupCommit commit, int writer, int seq)
    {
        await using var template = new SqliteCommand();
        template.Parameters.AddWithValue("@writer", writer);
        template.Parameters.AddWithValue("@seq", seq);
        await using var result = await commit.ExecuteAsync("INSERT INTO Writes (Writer, Seq) VALUES (@writer, @seq)", template.Parameters, TestContext.Current.CancellationToken);
    }
}
