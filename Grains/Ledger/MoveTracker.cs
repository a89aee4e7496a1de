using System.Collections.Concurrent;

namespace OrleansLicensing.Grains.Ledger;

/// <summary>
/// The unit moves in flight on this silo, so the conservation audit can tell a difference that a
/// move explains (its units were read on neither or on both sides) from one that no move
/// explains. A move in flight can shift an audit's difference for a license type by at most the
/// units of that type it moves; a move that aborted moved nothing.
/// </summary>
public sealed class MoveTracker
{
    private readonly ConcurrentDictionary<long, Move> _active = new();
    private readonly ConcurrentDictionary<Watch, byte> _watches = new();
    private long _started;

    /// <summary>
    /// Registers a move for the runner; dispose it once its outcome is known (committed, aborted
    /// or given up). <paramref name="declared"/>: its units, when known before it runs.
    /// </summary>
    public Move Begin(IReadOnlyDictionary<string, int>? declared = null)
    {
        var move = new Move(this, Interlocked.Increment(ref _started));
        if (declared is not null)
        {
            move.Executed(declared);
        }

        _active[move.Sequence] = move;
        foreach (var watch in _watches.Keys)
        {
            watch.Add(move);
        }

        return move;
    }

    /// <summary>Starts watching: every move in flight now or begun before <see cref="Watch.Close"/> is one the reads may have met.</summary>
    public Watch Open()
    {
        var watch = new Watch(this);
        _watches[watch] = 0;
        foreach (var move in _active.Values)
        {
            watch.Add(move);
        }

        return watch;
    }

    /// <summary>One move in flight: its units per license type once its body ran (before the commit).</summary>
    public sealed class Move(MoveTracker tracker, long sequence) : IDisposable
    {
        private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private volatile IReadOnlyDictionary<string, int>? _units;

        public long Sequence { get; } = sequence;

        public Task Ended => _ended.Task;

        /// <summary>Null while unknown: the body has not run yet (it might move any type).</summary>
        public IReadOnlyDictionary<string, int>? Units => _units;

        /// <summary>Set when the move ended without effect (refused, aborted for good, a dry run).</summary>
        public bool NoEffect { get; private set; }

        /// <summary>Its body ran: these are the units it moves (null: a move whose units bound nothing, such as a mint).</summary>
        public void Executed(IReadOnlyDictionary<string, int>? units) => _units = units;

        public void EndedWithoutEffect() => NoEffect = true;

        public void Dispose()
        {
            tracker._active.TryRemove(Sequence, out _);
            _ended.TrySetResult();
        }
    }

    /// <summary>The moves that overlapped an audit's reads.</summary>
    public sealed class Watch(MoveTracker tracker)
    {
        private readonly ConcurrentDictionary<long, Move> _moves = new();

        internal void Add(Move move) => _moves.TryAdd(move.Sequence, move);

        /// <summary>Stops watching; the moves met stay known.</summary>
        public void Close() => tracker._watches.TryRemove(this, out _);

        public int Count => _moves.Count;

        /// <summary>The moves met that have not ended yet.</summary>
        public int Pending => _moves.Values.Count(m => !m.Ended.IsCompleted);

        /// <summary>
        /// How far the moves met can shift the difference of <paramref name="type"/>: the units of
        /// that type each of them moves, or null (unbounded) when one of them has no such bound
        /// (still running with its units unknown, or a mint). A move that ended without effect moved nothing.
        /// </summary>
        public long? Bound(string type)
        {
            long bound = 0;
            foreach (var move in _moves.Values)
            {
                if (move.Units is { } units)
                {
                    bound += Math.Abs((long)units.GetValueOrDefault(type));
                }
                else if (!move.Ended.IsCompleted || !move.NoEffect)
                {
                    // Running with its units unknown, or ended with an effect (or an outcome in
                    // doubt) that its units do not bound.
                    return null;
                }
            }

            return bound;
        }

        /// <summary>Waits until every move met has ended (or <paramref name="timeout"/> passed).</summary>
        public async Task SettledAsync(TimeSpan timeout)
        {
            try
            {
                await Task.WhenAll(_moves.Values.Select(m => m.Ended)).WaitAsync(timeout);
            }
            catch (TimeoutException)
            {
                // Still unsettled; the audit says so.
            }
        }
    }
}
