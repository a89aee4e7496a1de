using System.Collections.Immutable;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.State;

namespace OrleansLicensing.Grains.Grains;

/// <summary>
/// A run of at most <see cref="HistoryLogGrain.ChunkSize"/> consecutive events of one history log
/// (docs/history.md). Its state is rewritten on every append, which the bound keeps small.
/// </summary>
public sealed class HistoryChunkGrain(
    [PersistentState("historyChunk", StorageNames.Licensing)] IPersistentState<HistoryChunkState> chunk) : Grain, IHistoryChunkGrain
{
    public async Task AppendAsync(ImmutableArray<HistoryEvent> events)
    {
        var held = chunk.State.Events;
        var added = false;
        foreach (var e in events)
        {
            if (held.Any(h => h.Id == e.Id || h.Seq == e.Seq))
            {
                continue;
            }

            held.Add(e);
            added = true;
        }

        if (added)
        {
            held.Sort((a, b) => a.Seq.CompareTo(b.Seq));
            await chunk.WriteStateAsync();
        }
    }

    public Task<HistoryChunkSlice> ReadAsync(HistoryFilter filter, long before, int limit)
    {
        var matches = ImmutableArray.CreateBuilder<HistoryEvent>();
        HistoryEvent? oldest = null;
        var held = chunk.State.Events;
        for (var i = held.Count - 1; i >= 0; i--)
        {
            var e = held[i];
            if (e.Seq >= before)
            {
                continue;
            }

            oldest = e;
            if (filter.Matches(e))
            {
                matches.Add(e);
                if (matches.Count == limit)
                {
                    break;
                }
            }
        }

        return Task.FromResult(oldest is null
            ? new HistoryChunkSlice([], 0, DateTimeOffset.MaxValue, Empty: true)
            : new HistoryChunkSlice(matches.ToImmutable(), oldest.Seq, oldest.At, Empty: false));
    }

    public Task<HistoryChunkSummary> DescribeAsync()
    {
        var held = chunk.State.Events;
        return Task.FromResult(held.Count == 0
            ? new HistoryChunkSummary([], null, null)
            : new HistoryChunkSummary([.. held.Select(e => e.Id)], held[^1].Seq, held[^1].At));
    }

    public Task<DateTimeOffset?> GetNewestAtAsync() =>
        Task.FromResult(chunk.State.Events.Count == 0 ? (DateTimeOffset?)null : chunk.State.Events[^1].At);

    public async Task ClearAsync()
    {
        await chunk.ClearStateAsync();
        chunk.State = new HistoryChunkState();
    }
}
