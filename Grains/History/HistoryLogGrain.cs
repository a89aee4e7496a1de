using System.Collections.Immutable;
using Microsoft.Extensions.Options;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.History;
using OrleansLicensing.Grains.State;

namespace OrleansLicensing.Grains.Grains;

/// <summary>
/// The head of a history log (R-Q2, docs/history.md). It numbers events in arrival order and
/// appends them to chunk grains of <see cref="ChunkSize"/> events (<c>{log}/{seq / ChunkSize}</c>),
/// so no state grows with the log: an append rewrites one chunk, and the head's own small state
/// only when a new chunk begins. Reads walk the chunks newest first from a position, a bounded
/// number of chunks per call, and merge the logs this one absorbed (company join).
/// </summary>
[Orleans.Concurrency.Reentrant]
public sealed class HistoryLogGrain(
    [PersistentState("historyLog", StorageNames.Licensing)] IPersistentState<HistoryLogState> head,
    IOptions<HistoryOptions> options,
    TimeProvider time) : Grain, IHistoryLogGrain, IRemindable
{
    public const int ChunkSize = 256;
    public const int MaxLimit = 500;
    public const string PruneReminder = "history-prune";

    /// <summary>Chunks one read of one log examines at most; a page may then hold fewer events than asked (its cursor continues).</summary>
    public const int MaxChunksPerRead = 64;

    private const int ParallelChunkReads = 4;

    // Ids of the newest events, to drop a recording that is retried (at least the last two chunks' worth).
    private const int RememberedIds = 2 * ChunkSize;
    private readonly HashSet<string> _recent = new(StringComparer.Ordinal);
    private readonly Queue<string> _recentOrder = new();

    // Reentrant: reads run beside writes; every write of the head's state or of a chunk holds this lock.
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly List<(ImmutableArray<HistoryEvent> Events, TaskCompletionSource Done)> _pending = [];
    private long _nextSeq;
    private DateTimeOffset _lastAt = DateTimeOffset.MinValue;

    private string LogId => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var current = head.State.CurrentChunk;
        var summaries = new List<HistoryChunkSummary>();
        if (current > head.State.FirstChunk)
        {
            summaries.Add(await Chunk(current - 1).DescribeAsync());
        }

        summaries.Add(await Chunk(current).DescribeAsync());
        _nextSeq = current * ChunkSize;
        foreach (var summary in summaries)
        {
            foreach (var id in summary.Ids)
            {
                Remember(id);
            }

            if (summary.LastSeq is { } last)
            {
                _nextSeq = Math.Max(_nextSeq, last + 1);
            }

            if (summary.LastAt is { } at && at > _lastAt)
            {
                _lastAt = at;
            }
        }
    }

    public async Task AppendAsync(ImmutableArray<HistoryEvent> events)
    {
        // Group commit: appends that arrive while one is being written wait for the write lock
        // together, and the next holder writes all of them at once (one chunk write for many
        // changes of a busy company instead of one each).
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending.Add((events, done));
        await _writeLock.WaitAsync();
        try
        {
            if (_pending.Count > 0)
            {
                var batch = _pending.ToArray();
                _pending.Clear();
                try
                {
                    await AppendNowAsync(batch.SelectMany(b => b.Events));
                    foreach (var waiting in batch)
                    {
                        waiting.Done.TrySetResult();
                    }
                }
                catch (Exception e)
                {
                    foreach (var waiting in batch)
                    {
                        waiting.Done.TrySetException(e);
                    }
                }
            }
        }
        finally
        {
            _writeLock.Release();
        }

        await done.Task;
        await SchedulePruningAsync();
    }

    private async Task AppendNowAsync(IEnumerable<HistoryEvent> events)
    {
        var fresh = new List<HistoryEvent>();
        foreach (var e in events)
        {
            if (_recent.Contains(e.Id))
            {
                continue;
            }

            // Times never go backwards within a log (a silo's clock may lag another's by a little):
            // reads stop at the first chunk older than the period asked, which needs the order.
            var at = e.At < _lastAt ? _lastAt : e.At;
            _lastAt = at;
            fresh.Add(e with { At = at, Seq = _nextSeq++ });
            Remember(e.Id);
        }

        try
        {
            foreach (var run in fresh.GroupBy(e => e.Seq / ChunkSize))
            {
                if (run.Key > head.State.CurrentChunk)
                {
                    head.State.CurrentChunk = run.Key;
                    await head.WriteStateAsync();
                }

                await Chunk(run.Key).AppendAsync([.. run]);
            }
        }
        catch
        {
            // The sequence ran ahead of what is stored: start again from storage. The events are
            // forgotten, so a retried recording is taken (a chunk written before the failure keeps
            // its copy by id; one across a chunk boundary may then be held twice).
            foreach (var e in fresh)
            {
                _recent.Remove(e.Id);
            }

            DeactivateOnIdle();
            throw;
        }
    }

    public async Task<HistoryPage> ReadAsync(HistoryFilter filter, string? cursor, int limit)
    {
        limit = Math.Clamp(limit, 1, MaxLimit);
        var logs = await CollectLogsAsync();
        var positions = cursor is null ? null : HistoryCursor.Decode(cursor);
        long PositionOf(string log) => positions is null ? long.MaxValue : positions.GetValueOrDefault(log);

        var active = logs.Where(log => PositionOf(log) > 0).ToArray();
        var slices = await Task.WhenAll(active.Select(log => log == LogId
            ? ReadOwnAsync(filter, PositionOf(log), limit)
            : GrainFactory.GetGrain<IHistoryLogGrain>(log).ReadOwnAsync(filter, PositionOf(log), limit)));

        // Newest first across the logs: an event is safe to hand out once no log that has more to
        // read could still hold a newer one (below its floor every event is at most its floor's time).
        var threshold = slices.Where(s => !s.Exhausted).Select(s => s.FloorAt).DefaultIfEmpty(DateTimeOffset.MinValue).Max();
        var emitted = slices
            .SelectMany((slice, index) => slice.Events.Select(e => (Event: e, Log: index)))
            .Where(x => x.Event.At >= threshold)
            .OrderByDescending(x => x.Event.At).ThenBy(x => x.Log).ThenByDescending(x => x.Event.Seq)
            .Take(limit)
            .ToArray();

        var next = new Dictionary<string, long>(StringComparer.Ordinal);
        for (var i = 0; i < active.Length; i++)
        {
            var slice = slices[i];
            var mine = emitted.Where(x => x.Log == i).Select(x => x.Event.Seq).ToArray();
            next[active[i]] = mine.Length == slice.Events.Length
                ? (slice.Exhausted ? 0 : slice.Floor)
                : mine.Length > 0 ? mine.Min() : PositionOf(active[i]);
        }

        var done = next.Values.All(p => p == 0);
        foreach (var log in logs.Where(log => !next.ContainsKey(log)))
        {
            next[log] = 0;
        }

        return new HistoryPage([.. emitted.Select(x => x.Event)], done ? null : HistoryCursor.Encode(next));
    }

    public async Task<HistorySlice> ReadOwnAsync(HistoryFilter filter, long before, int limit)
    {
        limit = Math.Clamp(limit, 1, MaxLimit);
        var chunk = before <= 0 ? -1 : Math.Min(head.State.CurrentChunk, (before - 1) / ChunkSize);
        var found = ImmutableArray.CreateBuilder<HistoryEvent>();
        var floor = before;
        var floorAt = DateTimeOffset.MaxValue;
        var scanned = 0;
        var parallel = 1;
        while (chunk >= head.State.FirstChunk && scanned < MaxChunksPerRead)
        {
            // One chunk first (a first page is usually in it), then several at a time.
            var batch = new List<long>();
            for (var c = chunk; c >= head.State.FirstChunk && batch.Count < parallel && scanned + batch.Count < MaxChunksPerRead; c--)
            {
                batch.Add(c);
            }

            parallel = ParallelChunkReads;
            var wanted = limit - found.Count;
            var chunkSlices = await Task.WhenAll(batch.Select(c => Chunk(c).ReadAsync(filter, before, wanted)));
            for (var i = 0; i < batch.Count; i++)
            {
                var slice = chunkSlices[i];
                scanned++;
                chunk = batch[i] - 1;
                if (slice.Empty)
                {
                    floor = Math.Min(floor, batch[i] * ChunkSize);
                    continue;
                }

                foreach (var e in slice.Events)
                {
                    found.Add(e);
                    if (found.Count == limit)
                    {
                        return new HistorySlice(found.ToImmutable(), e.Seq, e.At, Exhausted: false);
                    }
                }

                (floor, floorAt) = (slice.OldestSeq, slice.OldestAt);
                if (filter.From is { } from && slice.OldestAt < from)
                {
                    return new HistorySlice(found.ToImmutable(), floor, floorAt, Exhausted: true);
                }
            }
        }

        return new HistorySlice(found.ToImmutable(), floor, floorAt, Exhausted: chunk < head.State.FirstChunk);
    }

    public async Task AbsorbAsync(string otherLogId)
    {
        if (otherLogId == LogId || head.State.Absorbed.Contains(otherLogId))
        {
            return;
        }

        var added = false;
        await WithWriteLockAsync(async () =>
        {
            // Checked again under the lock: two absorbs of the same log may have interleaved.
            if (!head.State.Absorbed.Contains(otherLogId))
            {
                head.State.Absorbed.Add(otherLogId);
                await head.WriteStateAsync();
                added = true;
            }
        });
        if (!added)
        {
            return;
        }

        await AppendAsync([new HistoryEvent(
            $"absorb:{otherLogId}", time.GetUtcNow(), LogId, null, RequestContext.Get(ChangeFeed.ActorKey) as string, null, HistoryActions.HistoryAbsorbed,
            ImmutableSortedDictionary<string, string>.Empty.Add("companyId", otherLogId))]);
    }

    public Task<ImmutableArray<string>> ListAbsorbedAsync() => Task.FromResult(head.State.Absorbed.ToImmutableArray());

    public async Task<int> PruneAsync(DateTimeOffset cutoff)
    {
        await _writeLock.WaitAsync();
        try
        {
            return await PruneNowAsync(cutoff);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task<int> PruneNowAsync(DateTimeOffset cutoff)
    {
        var cleared = 0;
        while (head.State.FirstChunk < head.State.CurrentChunk)
        {
            var first = Chunk(head.State.FirstChunk);
            if (await first.GetNewestAtAsync() is { } newest && newest >= cutoff)
            {
                break;
            }

            await first.ClearAsync();
            head.State.FirstChunk++;
            cleared++;
        }

        if (cleared > 0)
        {
            await head.WriteStateAsync();
        }

        return cleared;
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName == PruneReminder && options.Value.RetentionDays > 0)
        {
            await PruneAsync(time.GetUtcNow().AddDays(-options.Value.RetentionDays));
        }
    }

    private async Task SchedulePruningAsync()
    {
        if (options.Value.RetentionDays <= 0 || head.State.PruneScheduled)
        {
            return;
        }

        await this.RegisterOrUpdateReminder(PruneReminder, TimeSpan.FromHours(1), TimeSpan.FromDays(1));
        await WithWriteLockAsync(async () =>
        {
            head.State.PruneScheduled = true;
            await head.WriteStateAsync();
        });
    }

    private async Task WithWriteLockAsync(Func<Task> write)
    {
        await _writeLock.WaitAsync();
        try
        {
            await write();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>This log and every log it absorbed, directly or through another, each once.</summary>
    private async Task<List<string>> CollectLogsAsync()
    {
        var logs = new List<string> { LogId };
        var pending = new Queue<string>(head.State.Absorbed);
        while (pending.TryDequeue(out var log))
        {
            if (logs.Contains(log))
            {
                continue;
            }

            logs.Add(log);
            foreach (var further in await GrainFactory.GetGrain<IHistoryLogGrain>(log).ListAbsorbedAsync())
            {
                pending.Enqueue(further);
            }
        }

        return logs;
    }

    private IHistoryChunkGrain Chunk(long index) => GrainFactory.GetGrain<IHistoryChunkGrain>($"{LogId}/{index}");

    private void Remember(string id)
    {
        if (!_recent.Add(id))
        {
            return;
        }

        _recentOrder.Enqueue(id);
        if (_recentOrder.Count > RememberedIds)
        {
            _recent.Remove(_recentOrder.Dequeue());
        }
    }
}
