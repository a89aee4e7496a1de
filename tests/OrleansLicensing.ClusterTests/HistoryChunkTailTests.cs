using System.Collections.Immutable;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains;
using OrleansLicensing.Grains.Grains;
using OrleansLicensing.Grains.State;

namespace OrleansLicensing.ClusterTests;

/// <summary>
/// A history chunk's two stored parts (D117): an append rewrites only the short tail; the tail is
/// settled into the main part every <see cref="HistoryChunkGrain.TailLimit"/> events and when the
/// chunk is full; a reactivated chunk reads both and drops a settled event the tail still holds.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class HistoryChunkTailTests(SharedCluster shared)
{
    private static readonly DateTimeOffset Start = new(2025, 6, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Appends_one_at_a_time_rewrite_only_the_tail_until_it_is_settled_and_survive_reactivation()
    {
        var chunk = shared.Grains.GetGrain<IHistoryChunkGrain>($"tail-{Guid.NewGuid():N}/0");
        var events = Events(HistoryChunkGrain.TailLimit + 5);
        foreach (var e in events)
        {
            await chunk.AppendAsync([e]);
        }

        // The first TailLimit appends stayed in the tail; the next one settled them with itself.
        var (settled, tail) = await ReadPartsAsync(chunk);
        Assert.Equal(HistoryChunkGrain.TailLimit + 1, settled.Count);
        Assert.Equal(events.Skip(HistoryChunkGrain.TailLimit + 1).Select(e => e.Id), tail.Select(e => e.Id));

        await Reactivate(chunk);
        Assert.Equal(events.Select(e => e.Id).Reverse(), (await chunk.ReadAsync(HistoryFilter.All, long.MaxValue, 100)).Events.Select(e => e.Id));
        Assert.Equal(events[^1].Seq, (await chunk.DescribeAsync()).LastSeq);
    }

    [Fact]
    public async Task A_full_chunk_keeps_no_tail_and_a_tail_left_behind_by_a_lost_write_is_not_read_twice()
    {
        var chunk = shared.Grains.GetGrain<IHistoryChunkGrain>($"tail-{Guid.NewGuid():N}/0");
        var events = Events(HistoryLogGrain.ChunkSize);
        foreach (var batch in events.Chunk(7))
        {
            await chunk.AppendAsync([.. batch]);
        }

        var (settled, tail) = await ReadPartsAsync(chunk);
        Assert.Equal(HistoryLogGrain.ChunkSize, settled.Count);
        Assert.Empty(tail);

        // A settle whose second write (emptying the tail) was lost: the tail repeats settled events.
        var partial = shared.Grains.GetGrain<IHistoryChunkGrain>($"tail-{Guid.NewGuid():N}/0");
        var few = Events(10);
        await Storage.WriteStateAsync("historyChunk", partial.GetGrainId(), new GrainState<HistoryChunkState>(new HistoryChunkState { Events = [.. few] }));
        await Storage.WriteStateAsync("historyChunkTail", partial.GetGrainId(), new GrainState<HistoryChunkState>(new HistoryChunkState { Events = [.. few.Skip(6)] }));
        var read = await partial.ReadAsync(HistoryFilter.All, long.MaxValue, 100);
        Assert.Equal(few.Select(e => e.Id).Reverse(), read.Events.Select(e => e.Id));

        // The next append settles nothing twice either.
        var next = Events(11)[10];
        await partial.AppendAsync([next]);
        await Reactivate(partial);
        Assert.Equal([.. few.Select(e => e.Id), next.Id], (await partial.ReadAsync(HistoryFilter.All, long.MaxValue, 100)).Events.Select(e => e.Id).Reverse());
    }

    private IGrainStorage Storage => shared.Cluster.Silos[0].SiloHost.Services.GetRequiredKeyedService<IGrainStorage>(StorageNames.Licensing);

    private async Task<(List<HistoryEvent> Settled, List<HistoryEvent> Tail)> ReadPartsAsync(IHistoryChunkGrain chunk)
    {
        var settled = new GrainState<HistoryChunkState>(new HistoryChunkState());
        var tail = new GrainState<HistoryChunkState>(new HistoryChunkState());
        await Storage.ReadStateAsync("historyChunk", chunk.GetGrainId(), settled);
        await Storage.ReadStateAsync("historyChunkTail", chunk.GetGrainId(), tail);
        return (settled.State?.Events ?? [], tail.State?.Events ?? []);
    }

    private static async Task Reactivate(IHistoryChunkGrain chunk)
    {
        var before = await chunk.DescribeAsync();
        await chunk.AsReference<Orleans.Core.Internal.IGrainManagementExtension>().DeactivateOnIdle(TestContext.Current.CancellationToken);
        Assert.Equal(before.Ids, (await chunk.DescribeAsync()).Ids);
    }

    private static HistoryEvent[] Events(int count) =>
        [.. Enumerable.Range(0, count).Select(i => new HistoryEvent(
            $"t-{i}", Start.AddMinutes(i), "tail", null, null, null, HistoryActions.ProjectUpdated, ImmutableSortedDictionary<string, string>.Empty) { Seq = i })];
}
