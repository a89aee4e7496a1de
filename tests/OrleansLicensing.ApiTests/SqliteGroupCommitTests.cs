using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.Storage;
using OrleansLicensing.Silo;

namespace OrleansLicensing.ApiTests;

/// <summary>
/// Grain-state writes on SQLite through the real provider of a durable node: the writes that
/// arrive together share one SQLite commit, each is on disk when it is acknowledged, and a write
/// that fails fails alone.
/// </summary>
public sealed class SqliteGroupCommitTests : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "orleans-licensing-group-commit", Guid.NewGuid().ToString("N"));
    private LicensingApp _app = null!;
    private IGrainStorage _storage = null!;
    private SqliteDataSource _dataSource = null!;

    public async ValueTask InitializeAsync()
    {
        _app = new LicensingApp("Sqlite", _directory);
        _ = _app.Server;
        _storage = _app.Services.GetRequiredKeyedService<IGrainStorage>(LicensingNode.InnerStorageName);
        _dataSource = _app.Services.GetRequiredService<SqliteDataSource>();
        await Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Writes_that_arrive_together_share_commits_and_each_is_on_disk_when_acknowledged()
    {
        var commitsBefore = _dataSource.GroupCommit.Commits;
        var states = Enumerable.Range(0, 200).Select(i => (Id: GrainIdOf($"together-{i}"), State: new GrainState<string>($"value {i}"))).ToArray();

        await Task.WhenAll(states.Select(s => _storage.WriteStateAsync("groupCommitTest", s.Id, s.State)));

        var commits = _dataSource.GroupCommit.Commits - commitsBefore;
        Assert.All(states, s => Assert.False(string.IsNullOrEmpty(s.State.ETag)));
        Assert.InRange(commits, 1, 199);

        // On disk: a connection of its own, outside the provider, sees every row.
        await using var connection = new SqliteConnection(_dataSource.ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var count = connection.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM LicensingGrainState WHERE GrainIdExtension LIKE '%together-%'";
        Assert.Equal(200L, (long)(await count.ExecuteScalarAsync(TestContext.Current.CancellationToken))!);

        foreach (var (id, written) in states)
        {
            var read = new GrainState<string>();
            await _storage.ReadStateAsync("groupCommitTest", id, read);
            Assert.Equal(written.State, read.State);
            Assert.Equal(written.ETag, read.ETag);
        }
    }

    [Fact]
    public async Task A_stale_write_is_refused_alone_and_the_writes_committed_with_it_stay()
    {
        var contested = GrainIdOf("contested");
        var current = new GrainState<string>("first");
        await _storage.WriteStateAsync("groupCommitTest", contested, current);
        var stale = new GrainState<string>("stale") { ETag = null, RecordExists = false };

        var others = Enumerable.Range(0, 100).Select(i => (Id: GrainIdOf($"beside-{i}"), State: new GrainState<string>($"beside {i}"))).ToArray();
        var writes = others.Select(o => _storage.WriteStateAsync("groupCommitTest", o.Id, o.State)).ToList();
        var staleWrite = _storage.WriteStateAsync("groupCommitTest", contested, stale);

        await Assert.ThrowsAsync<InconsistentStateException>(() => staleWrite);
        await Task.WhenAll(writes);
        var read = new GrainState<string>();
        await _storage.ReadStateAsync("groupCommitTest", contested, read);
        Assert.Equal("first", read.State);
        Assert.Equal(current.ETag, read.ETag);
        foreach (var (id, written) in others)
        {
            var besides = new GrainState<string>();
            await _storage.ReadStateAsync("groupCommitTest", id, besides);
            Assert.Equal(written.State, besides.State);
        }
    }

    [Fact]
    public async Task A_write_statement_that_fails_fails_alone_and_the_next_commit_works()
    {
        var others = Enumerable.Range(0, 100).Select(i => (Id: GrainIdOf($"after-error-{i}"), State: new GrainState<string>($"kept {i}"))).ToArray();
        var writes = others.Select(o => _storage.WriteStateAsync("groupCommitTest", o.Id, o.State)).ToList();

        await using (var connection = await _dataSource.OpenConnectionAsync(TestContext.Current.CancellationToken))
        await using (var broken = connection.CreateCommand())
        {
            broken.CommandText = "UPDATE LicensingGrainState SET NoSuchColumn = 1 RETURNING Version";
            await Assert.ThrowsAsync<SqliteException>(() => broken.ExecuteReaderAsync(TestContext.Current.CancellationToken));
        }

        await Task.WhenAll(writes);
        var later = new GrainState<string>("later");
        await _storage.WriteStateAsync("groupCommitTest", GrainIdOf("later"), later);
        Assert.False(string.IsNullOrEmpty(later.ETag));
        foreach (var (id, written) in others)
        {
            var read = new GrainState<string>();
            await _storage.ReadStateAsync("groupCommitTest", id, read);
            Assert.Equal(written.State, read.State);
        }
    }

    private static GrainId GrainIdOf(string key) => GrainId.Create("groupcommittest", key);
}
