using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Logging;
using Orleans.Transactions;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Grains;
using OrleansLicensing.Grains.History;

namespace OrleansLicensing.Grains.Ledger;

/// <summary>
/// Runs a <see cref="LedgerMove{TResult}"/> as one Orleans transaction (R-C1), and does for every
/// move what its declaration asks for:
/// <list type="bullet">
/// <item>registers the declared holders with the audit's holder registry first (R-C2),</item>
/// <item>records the result under the caller's idempotency key in the same transaction,</item>
/// <item>retries aborts caused by contention, an unreachable participant or a stale read with
/// jittered back-off, <see cref="MaxAttempts"/> attempts in all (then the caller sees TransientConflict),</item>
/// <item>surfaces domain errors as themselves (as the move explains them), once they rest on
/// committed state: a refusal is checked again after the transactions that prepared the states
/// it read have resolved (<see cref="AwaitStatesResolvedAsync"/>),</item>
/// <item>counts the operation, its retries and the units moved (<see cref="LedgerMetrics"/>), and</item>
/// <item>after commit, tells the declared devices which transaction committed, so they take the state it wrote into their poll answers (R-C3).</item>
/// </list>
/// One runner per grain activation: it remembers which holders it registered, and is not
/// meant to be shared between threads.
/// </summary>
public sealed class LedgerRunner(IGrainFactory grains, ITransactionClient transactions, LedgerMetrics metrics, ILogger<LedgerRunner> logger, MoveTracker? tracker = null, ChangeFeed? feed = null)
{
    private readonly MoveTracker _tracker = tracker ?? new MoveTracker();

    public const int MaxAttempts = 6;

    /// <summary>How long a refusal waits at most for the states it read to resolve (D127): the gateway's response timeout.</summary>
    public static readonly TimeSpan RefusalCheckWindow = TimeSpan.FromSeconds(10);

    // Registrations are permanent, so one that succeeded need not be repeated; bounded so a
    // long-lived activation does not remember every device it ever served.
    private const int MaxRememberedHolders = 100_000;
    private readonly HashSet<HolderRef> _registered = [];
    private readonly LedgerContext _context = new(grains);

    public async Task<T> RunAsync<T>(LedgerMove<T> move, IdempotencyToken? idempotency = null)
    {
        await RegisterAsync(move.Holders);
        using var tracked = _tracker.Begin(move.UnitsMovedBoundTheChange ? move.UnitsDeclared : null);
        var refusalRechecked = false;
        for (var attempt = 1; ; attempt++)
        {
            T result = default!;
            var replayed = false;
            var transactionId = Guid.Empty;
            try
            {
                await transactions.RunTransaction(TransactionOption.Create, async () =>
                {
                    transactionId = TransactionContext.GetRequiredTransactionInfo().TransactionId;
                    var record = idempotency is null ? null : grains.GetGrain<IIdempotencyGrain>(idempotency.Scope);
                    if (record is not null && await record.ClaimAsync(idempotency!.Fingerprint) is T prior)
                    {
                        result = prior;
                        replayed = true;
                        return true;
                    }

                    result = await move.ExecuteAsync(_context);
                    if (!move.Commits)
                    {
                        return false;
                    }

                    tracked.Executed(move.UnitsMovedBoundTheChange ? move.UnitsMoved(result) : null);

                    if (record is not null)
                    {
                        await record.CompleteAsync(idempotency!.Fingerprint, result!);
                    }

                    return true;
                });
            }
            catch (Exception e) when (CountLockTimeout(move.Kind, e))
            {
                throw; // never reached: the filter only counts
            }
            catch (OrleansTransactionAbortedException e) when (e.InnerException is LicensingException && !TransientFailures.IsStaleRead(e) && !refusalRechecked)
            {
                // The refusal may rest on a state that a transaction still being resolved prepared
                // (D127): wait until those have resolved, then run the move once more.
                refusalRechecked = true;
                metrics.RefusalRecheckStarted();
                if (await AwaitStatesResolvedAsync(move, idempotency) is { } unsettled)
                {
                    metrics.RefusalRechecked(move.Kind, LedgerMetrics.RecheckUnsettled);
                    metrics.Operation(move.Kind, ErrorCodes.TransientConflict);
                    tracked.EndedWithoutEffect();
                    ExceptionDispatchInfo.Throw(unsettled);
                }

                continue;
            }
            catch (OrleansTransactionAbortedException e) when (e.InnerException is LicensingException domain && !TransientFailures.IsStaleRead(e))
            {
                metrics.RefusalRechecked(move.Kind, LedgerMetrics.RecheckStood);
                metrics.Operation(move.Kind, domain.Code);
                tracked.EndedWithoutEffect();
                ExceptionDispatchInfo.Throw(await move.ExplainAsync(domain, _context));
            }
            catch (Exception e) when (TransientFailures.IsStaleRead(e) && attempt < MaxAttempts && move.TakeReplanRequest())
            {
                // The move asked for another plan (D118): not contention, so no abort counted and no back-off.
                logger.LogDebug("{Kind} attempt {Attempt} abandoned by the move for another plan", move.Kind, attempt);
                continue;
            }
            catch (Exception e) when (TransientFailures.IsRetryableAbort(e))
            {
                metrics.TransactionAborted(move.Kind);
                if (attempt >= MaxAttempts)
                {
                    metrics.Operation(move.Kind, ErrorCodes.TransientConflict);
                    tracked.EndedWithoutEffect();
                    if (e.InnerException is LicensingException stale)
                    {
                        ExceptionDispatchInfo.Throw(stale);
                    }

                    throw;
                }

                metrics.TransactionRetried(move.Kind);
                logger.LogDebug(e, "{Kind} attempt {Attempt} aborted (contention, an unreachable participant or a stale read); retrying", move.Kind, attempt);
                await Task.Delay(TransientFailures.Delay(attempt));
                continue;
            }

            if (refusalRechecked)
            {
                metrics.RefusalRechecked(move.Kind, LedgerMetrics.RecheckOverturned);
            }

            metrics.Operation(move.Kind, replayed ? "replayed" : "ok");
            if (replayed || !move.Commits)
            {
                tracked.EndedWithoutEffect();
            }

            if (!replayed && move.Commits)
            {
                metrics.UnitsMoved(move.Kind, move.UnitsMoved(result));
                move.CountCommitted(metrics);
                await NotifyDevicesAsync(move.Holders, transactionId);
            }

            if (move.Commits)
            {
                await RecordHistoryAsync(move, result, idempotency, transactionId);
            }

            return result;
        }
    }

    /// <summary>
    /// Records the move's history events after the commit (R-Q2; the ledger's one place for it).
    /// Their ids derive from the caller's idempotency key when there is one, else from the
    /// transaction, so a replayed request records them again under the same ids and the log keeps
    /// one of each: a recording lost with a silo that died after the commit is made good by the
    /// client's retry with the same Idempotency-Key (docs/history.md).
    /// </summary>
    private async Task RecordHistoryAsync<T>(LedgerMove<T> move, T result, IdempotencyToken? idempotency, Guid transactionId)
    {
        if (feed is null)
        {
            return;
        }

        var identity = idempotency is null ? $"tx:{transactionId:N}" : $"idem:{idempotency.Scope}|{idempotency.Fingerprint}";
        var events = move.History(result)
            .Select((note, index) => feed.Event(note.CompanyId, note.Action, note.ProjectId, note.Mac, note.Details, ChangeFeed.IdFrom(identity, index)))
            .ToArray();
        if (events.Length > 0)
        {
            await feed.RecordAsync(events);
        }
    }

    /// <summary>
    /// Waits until every transaction that had prepared a state the move may have refused on has
    /// committed or aborted: every transactional state of the declared holders, and the
    /// idempotency record. Orleans lets a transaction read the state an earlier one prepared
    /// before that one commits (the later one then commits only after it, or aborts with it); a
    /// refusal decided on such a state aborts at once, and is only right if the earlier
    /// transaction commits. Normally it does, but one whose participant or manager failed can
    /// abort seconds later — the move's own earlier attempt among them (a redeem whose first
    /// attempt a silo kill aborted after the key had prepared read the key as redeemed: D127). A
    /// read-only transaction over a grain's states commits only after the transactions it read
    /// from, or aborts with one of them (which has then resolved; it reads again). Returns null
    /// once one per grain has committed; if they have not within <see cref="RefusalCheckWindow"/>,
    /// the last failure, which the caller answers as retryable rather than a refusal that may be false.
    /// </summary>
    private async Task<Exception?> AwaitStatesResolvedAsync<T>(LedgerMove<T> move, IdempotencyToken? idempotency)
    {
        var states = move.Holders.Distinct().Select(holder => (ITransactionalHolder)grains.Holder(holder)).ToList();
        if (idempotency is not null)
        {
            states.Add(grains.GetGrain<IIdempotencyGrain>(idempotency.Scope));
        }

        var window = System.Diagnostics.Stopwatch.StartNew();
        Exception? last = null;
        for (var attempt = 1; ; attempt++)
        {
            var remaining = RefusalCheckWindow - window.Elapsed;
            if (remaining <= TimeSpan.Zero)
            {
                return last ?? new TimeoutException("The states the refusal read did not resolve in time.");
            }

            // One read-only transaction per grain: a transaction over several would hold one
            // grain's read lock while it waits for another's, against moves that lock them in
            // the other order (a deadlock until the lock timeout broke it).
            var read = Task.WhenAll(states.Select(state => transactions.RunTransaction(TransactionOption.Create, state.ReadAllStatesAsync)));
            try
            {
                await read.WaitAsync(remaining);
                return null;
            }
            catch (Exception e) when (e is OrleansException or TimeoutException)
            {
                read.Ignore();
                last = e;
                logger.LogDebug(e, "{Kind}: the states of the refusal were still resolving (attempt {Attempt})", move.Kind, attempt);
                await Task.Delay(TransientFailures.Delay(attempt));
            }
        }
    }

    /// <summary>Counts an attempt that ended in a lock timeout, whatever happens to it next; never catches.</summary>
    private bool CountLockTimeout(string kind, Exception e)
    {
        if (TransientFailures.IsLockTimeout(e))
        {
            metrics.LockTimedOut(kind);
        }

        return false;
    }

    private async Task RegisterAsync(IReadOnlyList<HolderRef> holders)
    {
        // One call per shard for the holders not seen yet, the shards in parallel: a move that
        // brings hundreds of new devices (an import batch) registers them in a few writes.
        var fresh = holders.Where(holder => !_registered.Contains(holder)).Distinct().ToList();
        if (fresh.Count == 0)
        {
            return;
        }

        await Task.WhenAll(fresh.GroupBy(holder => HolderRegistryGrain.ShardOf(holder.Kind, holder.Id))
            .Select(shard => grains.GetGrain<IHolderRegistryGrain>(shard.Key).RegisterManyAsync([.. shard])));
        if (_registered.Count + fresh.Count > MaxRememberedHolders)
        {
            _registered.Clear();
        }

        _registered.UnionWith(fresh);
    }

    /// <summary>
    /// Tells the declared devices which transaction committed; each takes the state it wrote in
    /// that transaction into its poll answer (R-C3) without a transaction or a lock.
    /// </summary>
    private Task NotifyDevicesAsync(IReadOnlyList<HolderRef> holders, Guid transactionId) =>
        Task.WhenAll(holders.Where(h => h.Kind == HolderKinds.Device).Select(async device =>
        {
            try
            {
                await grains.GetGrain<IDeviceGrain>(device.Id).CommittedAsync(transactionId);
            }
            catch (Exception e)
            {
                // The commit stands; the device reads its committed state on a later poll instead.
                logger.LogWarning(e, "Could not tell {Mac} that its transaction committed", device.Id);
            }
        }));
}
