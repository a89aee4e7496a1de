using System.Collections.Immutable;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Grains;

namespace OrleansLicensing.ClusterTests;

/// <summary>
/// The history log at grain level (R-Q2, docs/history.md): chunk boundaries, a company join's
/// absorb (R-U3), retried recordings, bounded scans with a cursor, and pruning.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class HistoryLogTests(SharedCluster shared)
{
    private static readonly DateTimeOffset Start = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Absorb_makes_a_joined_company_history_readable_from_the_survivor_merged_newest_first()
    {
        var (a, b) = (NewLog("a"), NewLog("b"));

        // Interleaved in time: A on even minutes, B on odd ones; B spans more than two chunks.
        var eventsOfA = Events(a, 300, i => Start.AddMinutes(2 * i), "a@example.com");
        var eventsOfB = Events(b, 2 * HistoryLogGrain.ChunkSize + 100, i => Start.AddMinutes((2 * i) + 1), "b@example.com");
        await AppendInBatchesAsync(a, eventsOfA, 97);
        await AppendInBatchesAsync(b, eventsOfB, 97);

        await Log(a).AbsorbAsync(b);
        await Log(a).AbsorbAsync(b); // a retried join step changes nothing
        Assert.Equal([b], await Log(a).ListAbsorbedAsync());

        var all = await ReadAllAsync(a, HistoryFilter.All, 100);
        Assert.Equal(eventsOfA.Length + eventsOfB.Length + 1, all.Count);
        Assert.Equal(HistoryActions.HistoryAbsorbed, all[0].Action);
        Assert.Equal(all.Count, all.Select(e => (e.CompanyId, e.Id)).Distinct().Count());
        var times = all.Select(e => e.At).ToArray();
        Assert.Equal(times.OrderByDescending(t => t), times);
        Assert.Equal(eventsOfB.Select(e => e.Id).Reverse(), all.Where(e => e.CompanyId == b).Select(e => e.Id));

        // Filters reach into the absorbed log too; B's own reads are unchanged.
        var byB = await ReadAllAsync(a, new HistoryFilter(null, "B@example.com", null, null), 33);
        Assert.Equal(eventsOfB.Length, byB.Count);
        Assert.Equal(eventsOfB.Length, (await ReadAllAsync(b, HistoryFilter.All, 500)).Count);

        // A join of a company that had absorbed another brings that one along.
        var c = NewLog("c");
        await Log(c).AppendAsync([.. Events(c, 5, i => Start.AddYears(-1).AddDays(i), "c@example.com")]);
        await Log(b).AbsorbAsync(c);
        var withC = await ReadAllAsync(a, HistoryFilter.All, 250);
        Assert.Equal(all.Count + 1 + 5, withC.Count);
        Assert.Equal(c, withC[^1].CompanyId);
    }

    [Fact]
    public async Task A_retried_recording_keeps_one_event_also_across_a_chunk_boundary()
    {
        var log = NewLog("retry");
        var events = Events(log, HistoryLogGrain.ChunkSize + 10, i => Start.AddSeconds(i), null);
        await Log(log).AppendAsync([.. events]);
        await Log(log).AppendAsync([.. events.Skip(HistoryLogGrain.ChunkSize - 5)]);
        await Log(log).AppendAsync([events[0], .. Events(log, 1, _ => Start.AddDays(1), null, "late")]);

        var all = await ReadAllAsync(log, HistoryFilter.All, 500);
        Assert.Equal(events.Length + 1, all.Count);
        Assert.Equal(Enumerable.Range(0, events.Length + 1).Select(i => (long)i).Reverse(), all.Select(e => e.Seq));
    }

    [Fact]
    public async Task Concurrent_recordings_are_all_kept_each_with_its_own_sequence_number()
    {
        var log = NewLog("busy");
        var events = Events(log, 300, i => Start.AddMilliseconds(i), null);
        await Task.WhenAll(events.Select(e => Log(log).AppendAsync([e])));

        var all = await ReadAllAsync(log, HistoryFilter.All, 500);
        Assert.Equal(events.Select(e => e.Id).Order(StringComparer.Ordinal), all.Select(e => e.Id).Order(StringComparer.Ordinal));
        Assert.Equal(Enumerable.Range(0, events.Length).Select(i => (long)i).Reverse(), all.Select(e => e.Seq));
        var times = all.Select(e => e.At).ToArray();
        Assert.Equal(times.OrderByDescending(t => t), times);
    }

    [Fact]
    public async Task A_read_scans_a_bounded_number_of_chunks_and_its_cursor_continues_the_scan()
    {
        var log = NewLog("deep");
        var count = (HistoryLogGrain.MaxChunksPerRead + 10) * HistoryLogGrain.ChunkSize;
        var events = Events(log, count, i => Start.AddSeconds(i), "someone@example.com");
        events[3] = events[3] with { Mac = "00-90-33-00-00-03" };
        await AppendInBatchesAsync(log, events, 2000);

        var filter = new HistoryFilter(null, null, "00-90-33-00-00-03", null);
        var first = await Log(log).ReadAsync(filter, null, 10);
        Assert.Empty(first.Events);
        Assert.NotNull(first.NextCursor);
        var second = await Log(log).ReadAsync(filter, first.NextCursor, 10);
        Assert.Equal(events[3].Id, Assert.Single(second.Events).Id);
        Assert.Null(second.NextCursor);

        // A period stops the scan at the first chunk older than it, without a cursor to follow.
        var recent = await Log(log).ReadAsync(new HistoryFilter(null, null, null, Start.AddSeconds(count - 5)), null, 500);
        Assert.Equal(5, recent.Events.Length);
        Assert.Null(recent.NextCursor);

        // Deep paging: the last page of the whole log, reached page by page.
        var pages = 0;
        var seen = 0;
        string? cursor = null;
        do
        {
            var page = await Log(log).ReadAsync(HistoryFilter.All, cursor, 500);
            seen += page.Events.Length;
            cursor = page.NextCursor;
            pages++;
        }
        while (cursor is not null);

        Assert.Equal(count, seen);
        Assert.Equal(count / 500 + (count % 500 == 0 ? 0 : 1), pages);
    }

    [Fact]
    public async Task Pruning_clears_whole_chunks_older_than_the_cutoff_and_never_the_current_one()
    {
        var log = NewLog("prune");
        var events = Events(log, (3 * HistoryLogGrain.ChunkSize) + 10, i => Start.AddHours(i), null);
        await AppendInBatchesAsync(log, events, 500);

        // The cutoff falls inside the second chunk: only the first is wholly older.
        var cutoff = Start.AddHours(HistoryLogGrain.ChunkSize + 5);
        Assert.Equal(1, await Log(log).PruneAsync(cutoff));
        Assert.Equal(0, await Log(log).PruneAsync(cutoff));
        var kept = await ReadAllAsync(log, HistoryFilter.All, 500);
        Assert.Equal(events.Length - HistoryLogGrain.ChunkSize, kept.Count);
        Assert.Equal(HistoryLogGrain.ChunkSize, kept[^1].Seq);

        // Everything older than a cutoff in the future: all but the chunk being filled.
        Assert.Equal(2, await Log(log).PruneAsync(Start.AddYears(10)));
        Assert.Equal(10, (await ReadAllAsync(log, HistoryFilter.All, 500)).Count);

        // Appending goes on after pruning.
        await Log(log).AppendAsync([.. Events(log, 1, _ => Start.AddYears(1), null, "after")]);
        Assert.Equal(11, (await ReadAllAsync(log, HistoryFilter.All, 500)).Count);
    }

    [Fact]
    public async Task Changes_without_an_HTTP_route_record_their_events_too_device_moved_and_balance_transferred()
    {
        var world = new World(shared.Grains);
        var (company, home) = await world.CompanyAsync();
        var other = await world.ProjectAsync(company);
        var (mac, _) = await world.DeviceAsync(company, home);
        await world.FundAsync(company, home, ("PBX-Port8", 5), ("SSC", 1000));

        // Free pool: out of the device, one lot back onto it, the other converted into balance.
        await world.AddAsync(company, mac, [], ("PBX-Port8", 1));
        await world.AddAsync(company, mac, [], ("PBX-Port8", 1));
        var pooled = await world.Ledger.ReturnToFreePoolAsync(company, mac, default);
        Assert.Equal(2, pooled.Length);
        await world.Ledger.AddFromFreePoolAsync(company, mac, [pooled[0].LotId]);
        await world.Ledger.ConvertFreePoolAsync(company, home, [pooled[1].LotId]);
        await world.Ledger.ReturnToFreePoolAsync(company, mac, default);
        await world.Ledger.ConvertFreePoolAsync(company, home, [.. (await world.Grains.GetGrain<IProjectGrain>(home).GetFreePoolAsync()).Select(l => l.LotId)]);

        await shared.Grains.GetGrain<IDeviceGrain>(mac).MoveToProjectAsync(company, other);
        await world.Ledger.TransferBalanceAsync(company, home, other, World.Units(("PBX-Port8", 2)));

        var all = await ReadAllAsync(company, HistoryFilter.All, 100);
        var actions = all.Select(e => e.Action).Reverse().ToArray();
        Assert.Equal(
            [HistoryActions.LicensesAdded, HistoryActions.LicensesAdded, HistoryActions.LicensesReturnedToFreePool, HistoryActions.LicensesTakenFromFreePool,
             HistoryActions.FreeLicensesConverted, HistoryActions.LicensesReturnedToFreePool, HistoryActions.FreeLicensesConverted],
            actions.SkipWhile(a => a != HistoryActions.LicensesAdded).Take(7));
        Assert.All(all.Where(e => e.Action.Contains("FreePool", StringComparison.Ordinal)), e => Assert.Equal((home, mac), (e.ProjectId, e.Mac)));
        var moved = all.Where(e => e.Action == HistoryActions.DeviceMoved).ToArray();
        Assert.Equal([other, home], moved.Select(e => e.ProjectId));
        Assert.All(moved, e => Assert.Equal(mac, e.Mac));
        var transferred = all.Where(e => e.Action == HistoryActions.BalanceTransferred).ToArray();
        Assert.Equal([other, home], transferred.Select(e => e.ProjectId));
        Assert.Equal(home, transferred[0].Details["from"]);
        Assert.Equal(other, transferred[1].Details["to"]);
        Assert.All(transferred, e => Assert.Equal("PBX-Port8=2", e.Details["licenses"]));

        // The device's history within its new project: the move into it.
        var inOther = await ReadAllAsync(company, new HistoryFilter(other, null, mac, null), 100);
        Assert.Equal([HistoryActions.DeviceMoved], inOther.Select(e => e.Action));
    }

    [Fact]
    public async Task The_search_index_rebuilds_from_the_company_grains_when_asked_or_activated()
    {
        var world = new World(shared.Grains);
        var (company, home) = await world.CompanyAsync();

        var index = shared.Grains.GetGrain<ISearchIndexGrain>(company);
        Assert.Equal((0, 1, 0), await index.CountAsync());

        // Devices put into the project directly report nothing: the index cannot know them yet.
        var (first, _) = await world.DeviceAsync(company, home);
        var (second, _) = await world.DeviceAsync(company, home);
        Assert.Empty((await index.SearchAsync(SearchQuery.Parse(first, null))).Devices);

        await index.RebuildAsync();
        Assert.Equal(first, Assert.Single((await index.SearchAsync(SearchQuery.Parse(first, null))).Devices).Mac);
        Assert.Equal((2, 1, 0), await index.CountAsync());

        // A bind reports the device, with the units it now holds.
        await world.FundAsync(company, home, ("PBX-Port8", 120));
        await world.AddAsync(company, second, [], ("PBX-Port8", 120));
        var found = await WaitForAsync(index, SearchQuery.Parse("PBX-Port8=100", null), 1);
        Assert.Equal(second, Assert.Single(found.Devices).Mac);
    }

    private static async Task<SearchResult> WaitForAsync(ISearchIndexGrain index, SearchQuery query, int devices)
    {
        // The notice is one-way and this test's client is outside the silo: allow it to arrive.
        for (var attempt = 0; ; attempt++)
        {
            var result = await index.SearchAsync(query);
            if (result.Devices.Length == devices || attempt == 50)
            {
                return result;
            }

            await Task.Delay(100);
        }
    }

    private IHistoryLogGrain Log(string id) => shared.Grains.GetGrain<IHistoryLogGrain>(id);

    private static string NewLog(string name) => $"{name}-{Guid.NewGuid():N}";

    private static HistoryEvent[] Events(string log, int count, Func<int, DateTimeOffset> at, string? user, string prefix = "e") =>
        [.. Enumerable.Range(0, count).Select(i => new HistoryEvent(
            $"{prefix}-{i}", at(i), log, "project-1", user, null, HistoryActions.ProjectUpdated, ImmutableSortedDictionary<string, string>.Empty.Add("n", $"{i}")))];

    private async Task AppendInBatchesAsync(string log, HistoryEvent[] events, int batch)
    {
        foreach (var chunk in events.Chunk(batch))
        {
            await Log(log).AppendAsync([.. chunk]);
        }
    }

    private async Task<List<HistoryEvent>> ReadAllAsync(string log, HistoryFilter filter, int limit)
    {
        var all = new List<HistoryEvent>();
        string? cursor = null;
        for (var pages = 0; pages < 10_000; pages++)
        {
            var page = await Log(log).ReadAsync(filter, cursor, limit);
            Assert.True(page.Events.Length <= limit);
            all.AddRange(page.Events);
            cursor = page.NextCursor;
            if (cursor is null)
            {
                return all;
            }
        }

        throw new InvalidOperationException("The log did not end.");
    }
}
