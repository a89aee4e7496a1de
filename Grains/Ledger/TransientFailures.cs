using Orleans.Transactions;
using OrleansLicensing.Contracts;

namespace OrleansLicensing.Grains.Grains;

/// <summary>
/// Which transaction failures are worth another attempt, and the back-off between attempts.
/// Contention (lock breaks, cascading aborts, prepare timeouts) and overload abort a transaction
/// without applying anything, so retrying it is always safe.
/// </summary>
public static class TransientFailures
{
    public static bool IsContention(Exception e) =>
        e is OrleansTransactionTransientFailureException or OrleansTransactionOverloadException;

    /// <summary>
    /// A transaction that aborted because a participant could not be reached (its silo died or
    /// the call timed out). The abort is definite — nothing was applied — so, like contention,
    /// it is safe to try again; after a silo loss the next attempt finds the grain reactivated.
    /// </summary>
    public static bool IsUnreachableParticipant(Exception e) =>
        e is OrleansTransactionAbortedException { InnerException: SiloUnavailableException or TimeoutException or OrleansMessageRejectionException };

    /// <summary>
    /// A transaction that a participant refused with <see cref="ErrorCodes.TransientConflict"/>:
    /// something the transaction read before it held the participant's lock (a device's
    /// project, say) had changed by the time it did. Nothing was applied; another attempt reads afresh.
    /// </summary>
    public static bool IsStaleRead(Exception e) =>
        e is OrleansTransactionAbortedException { InnerException: LicensingException { Code: ErrorCodes.TransientConflict } };

    /// <summary>
    /// An abort that came from a lock timeout: a lock group held past
    /// <c>TransactionalStateOptions.LockTimeout</c> was broken, or a transaction waited for a lock
    /// or for its prepare past their timeouts, or a call to a participant timed out (a participant
    /// queued behind another transaction's lock answers its caller only after the call's timeout,
    /// so the wait shows there first). Each one is a stall of that length.
    /// </summary>
    public static bool IsLockTimeout(Exception e)
    {
        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is OrleansBrokenTransactionLockException or OrleansTransactionPrepareTimeoutException or TimeoutException
                || (inner is OrleansTransactionException && inner.Message.Contains("timeout", StringComparison.OrdinalIgnoreCase)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Aborts a unit move may retry: contention, overload, an unreachable participant, or a stale read.</summary>
    public static bool IsRetryableAbort(Exception e) => IsContention(e) || IsUnreachableParticipant(e) || IsStaleRead(e);

    /// <summary>Jittered exponential back-off: 10–30 ms after the first attempt, doubling up to 1.3–3.8 s from the eighth.</summary>
    public static TimeSpan Delay(int attempt)
    {
        var shift = Math.Min(attempt, 8);
        return TimeSpan.FromMilliseconds((5 << shift) + Random.Shared.Next(0, 10 << shift));
    }

    /// <summary>
    /// Runs a read (a grain call that starts its own read transaction) until it succeeds,
    /// retrying contention and, because a read changes nothing, timeouts too. After a silo
    /// dies, a read can meet a transaction that is still being resolved by its recovered
    /// manager; that resolution takes seconds, which the default budget covers.
    /// </summary>
    public static async Task<T> ReadAsync<T>(Func<Task<T>> read, int maxAttempts = 10)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await read();
            }
            catch (Exception e) when (attempt < maxAttempts && (IsContention(e) || e is TimeoutException))
            {
                await Task.Delay(Delay(attempt));
            }
        }
    }
}
