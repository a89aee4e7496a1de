using System.Collections.Immutable;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.State;

namespace OrleansLicensing.Grains.Grains;

/// <summary>
/// A run of at most <see cref="HistoryLogGrain.ChunkSize"/> consecutive events of one history log
/// (docs/history.md), stored in two parts: the settled events (state <c>historyChunk</c>) and a
/// short tail of the newest ones (state <c>historyChunkTail</c>, at most <see cref="TailLimit"/>
/// events). An append rewrites only the tail; every <see cref="TailLimit"/> events, and when the
/// chunk is full, the tail is settled into the main part. An append then serialises about
/// <see cref="TailLimit"/> events on average instead of half a chunk (D117).
/// </summary>
/// <remarks>
/// A full chunk never keeps a tail, so reading one (every chunk but the newest) reads one row.
/// Settling writes the main part first and then empties the tail: if the second write is lost,
/// the tail holds copies of settled events, which loading drops by sequence number.
/// </remarks>
public sealed class HistoryChunkGrain(
    [PersistentState("historyChunk", StorageNames.Licensing)] IPersistentState<HistoryChunkState> chunk) : Grain, IHistoryChunkGrain
{
    /// <summary>The most events the tail holds before they are settled into the chunk's main part.</summary>
    public const int TailLimit = 16;

    private const string TailState = "historyChunkTail";

    private IGrainStorage? _storage;
    private GrainState<HistoryChunkState> _tail = new(new HistoryChunkState());

    // The chunk's events in sequence order: the main part followed by the tail.
    private List<HistoryEvent> _events = [];
    private readonly HashSet<string> _ids = new(StringComparer.Ordinal);
    private readonly HashSet<long> _seqs = [];

    private List<HistoryEvent> TailEvents => _tail.State?.Events ?? [];

    private IGrainStorage Storage => _storage ??= ServiceProvider.GetRequiredKeyedService<IGrainStorage>(StorageNames.Licensing);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var settled = chunk.State.Events;
        if (settled.Count < HistoryLogGrain.ChunkSize)
        {
            await Storage.ReadStateAsync(TailState, GrainContext.GrainId, _tail);
        }

        var settledSeqs = settled.Select(e => e.Seq).ToHashSet();
        _events = [.. settled, .. TailEvents.Where(e => !settledSeqs.Contains(e.Seq))];
        _events.Sort((a, b) => a.Seq.CompareTo(b.Seq));
        _ids.UnionWith(_events.Select(e => e.Id));
        _seqs.UnionWith(_events.Select(e => e.Seq));
    }

    public async Task AppendAsync(ImmutableArray<HistoryEvent> events)
    {
        // Held ids and sequence numbers, kept beside the list: an append checks its events
        // against them instead of scanning the chunk.
        var fresh = new List<HistoryEvent>();
        foreach (var e in events)
        {
            if (!_ids.Contains(e.Id) && !_seqs.Contains(e.Seq) && !fresh.Any(h => h.Id == e.Id || h.Seq == e.Seq))
            {
                fresh.Add(e);
            }
        }

        if (fresh.Count == 0)
        {
            return;
        }

        // Events come in sequence order from the log's head; anything else is sorted in.
        fresh.Sort((a, b) => a.Seq.CompareTo(b.Seq));
        var inOrder = _events.Count == 0 || fresh[0].Seq > _events[^1].Seq;
        var all = new List<HistoryEvent>(_events.Count + fresh.Count);
        all.AddRange(_events);
        all.AddRange(fresh);
        if (!inOrder)
        {
            all.Sort((a, b) => a.Seq.CompareTo(b.Seq));
        }

        var settled = chunk.State.Events;
        var tail = all.GetRange(settled.Count, all.Count - settled.Count);
        var settledStillFirst = settled.Count == 0 || tail.Count == 0 || tail[0].Seq > settled[^1].Seq;
        try
        {
            if (tail.Count > TailLimit || all.Count >= HistoryLogGrain.ChunkSize || !settledStillFirst)
            {
                // Settle: the main part takes every event, then the tail is emptied.
                chunk.State = new HistoryChunkState { Events = all };
                await chunk.WriteStateAsync();
                if (TailEvents.Count > 0 || _tail.ETag is not null)
                {
                    _tail.State = new HistoryChunkState();
                    await Storage.WriteStateAsync(TailState, GrainContext.GrainId, _tail);
                }
            }
            else
            {
                _tail.State = new HistoryChunkState { Events = tail };
                await Storage.WriteStateAsync(TailState, GrainContext.GrainId, _tail);
            }
        }
        catch
        {
            // What reached storage is unknown: start again from it.
            DeactivateOnIdle();
            throw;
        }

        _events = all;
        foreach (var e in fresh)
        {
            _ids.Add(e.Id);
            _seqs.Add(e.Seq);
        }
    }

    public Task<HistoryChunkSlice> ReadAsync(HistoryFilter filter, long before, int limit)
    {
        var matches = ImmutableArray.CreateBuilder<HistoryEvent>();
        HistoryEvent? oldest = null;
        var held = _events;
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
        var held = _events;
        return Task.FromResult(held.Count == 0
            ? new HistoryChunkSummary([], null, null)
            : new HistoryChunkSummary([.. held.Select(e => e.Id)], held[^1].Seq, held[^1].At));
    }

    public Task<DateTimeOffset?> GetNewestAtAsync() =>
        Task.FromResult(_events.Count == 0 ? (DateTimeOffset?)null : _events[^1].At);

    public async Task ClearAsync()
    {
        await chunk.ClearStateAsync();
        chunk.State = new HistoryChunkState();
        if (_tail.ETag is not null)
        {
            await Storage.ClearStateAsync(TailState, GrainContext.GrainId, _tail);
        }

        _tail = new GrainState<HistoryChunkState>(new HistoryChunkState());
        _events = [];
        _ids.Clear();
        _seqs.Clear();
    }
}
