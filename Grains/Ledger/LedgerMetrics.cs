using System.Diagnostics.Metrics;
using OrleansLicensing.Contracts;

namespace OrleansLicensing.Grains;

/// <summary>
/// The licensing meter: low-cardinality counters for license operations, transactions and
/// unit movements. Tags are kinds, outcomes and license types — never ids.
/// </summary>
public sealed class LedgerMetrics : IDisposable
{
    public const string MeterName = TelemetryNames.Meter;

    private readonly Meter _meter;
    private readonly Counter<long> _operations;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _abortsByKind = new(StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _retriesByKind = new(StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _lockTimeoutsByKind = new(StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _recheckOutcomes = new(StringComparer.Ordinal);
    private readonly Counter<long> _refusalRechecks;
    private readonly Counter<long> _keysMinted;
    private readonly Counter<long> _keysRedeemed;
    private readonly Counter<long> _unitsMoved;

    public LedgerMetrics(IMeterFactory meters)
    {
        _meter = meters.Create(MeterName);
        _operations = _meter.CreateCounter<long>("licensing.operations", description: "License operations by kind and outcome (ok, replayed, or an error code)");
        // Observable, so the series exist (at 0) before the first abort and alerts can use them.
        _meter.CreateObservableCounter("licensing.transaction.aborts", () => ByKind(_abortsByKind), description: "Transactions aborted by contention or overload, by operation kind");
        _meter.CreateObservableCounter("licensing.transaction.retries", () => ByKind(_retriesByKind), description: "Aborted transactions retried inside the cluster, by operation kind");
        _meter.CreateObservableCounter("licensing.transaction.lock_timeouts", () => ByKind(_lockTimeoutsByKind), description: "Transactions aborted because a lock was held or awaited past its timeout (a stall), by operation kind");
        _refusalRechecks = _meter.CreateCounter<long>("licensing.refusals.rechecked", description: "Refusals checked again once the transactions that prepared the states they read had resolved, by operation kind and outcome (stood, overturned, unsettled)");
        _keysMinted = _meter.CreateCounter<long>("licensing.keys.minted", description: "Activation keys minted by the vendor");
        _keysRedeemed = _meter.CreateCounter<long>("licensing.keys.redeemed", description: "Activation keys redeemed into projects");
        _unitsMoved = _meter.CreateCounter<long>("licensing.units.moved", unit: "{unit}", description: "License units moved between holders, by operation kind and license type");
    }

    private long _operationCount;
    private long _abortCount;
    private long _retryCount;
    private long _lockTimeoutCount;
    private long _recheckCount;

    /// <summary>The refusal was refused again on resolved state: the answer.</summary>
    public const string RecheckStood = "stood";

    /// <summary>The move succeeded on resolved state: the first refusal was false.</summary>
    public const string RecheckOverturned = "overturned";

    /// <summary>The states did not resolve in time: the caller got a retryable 503.</summary>
    public const string RecheckUnsettled = "unsettled";

    /// <summary>Refusal checks begun on this silo.</summary>
    public long RefusalRechecksStarted => Interlocked.Read(ref _recheckCount);

    /// <summary>Refusal checks on this silo that ended with <paramref name="outcome"/>.</summary>
    public long RefusalRechecks(string outcome) => _recheckOutcomes.GetValueOrDefault(outcome);

    /// <summary>Transactions on this silo that ended in, or waited out, a lock timeout.</summary>
    public long LockTimeoutCount => Interlocked.Read(ref _lockTimeoutCount);

    /// <summary>Operations finished on this silo (any outcome).</summary>
    public long OperationCount => Interlocked.Read(ref _operationCount);

    /// <summary>Transactions aborted by contention on this silo.</summary>
    public long AbortCount => Interlocked.Read(ref _abortCount);

    /// <summary>Aborted transactions retried on this silo.</summary>
    public long RetryCount => Interlocked.Read(ref _retryCount);

    public void Operation(string kind, string outcome)
    {
        Interlocked.Increment(ref _operationCount);
        _operations.Add(1, new("kind", kind), new("outcome", outcome));
    }

    public void TransactionAborted(string kind)
    {
        Interlocked.Increment(ref _abortCount);
        _abortsByKind.AddOrUpdate(kind, 1, (_, count) => count + 1);
    }

    public void LockTimedOut(string kind)
    {
        Interlocked.Increment(ref _lockTimeoutCount);
        _lockTimeoutsByKind.AddOrUpdate(kind, 1, (_, count) => count + 1);
    }

    public void RefusalRecheckStarted() => Interlocked.Increment(ref _recheckCount);

    public void RefusalRechecked(string kind, string outcome)
    {
        _recheckOutcomes.AddOrUpdate(outcome, 1, (_, count) => count + 1);
        _refusalRechecks.Add(1, new("kind", kind), new("outcome", outcome));
    }

    public void TransactionRetried(string kind)
    {
        Interlocked.Increment(ref _retryCount);
        _retriesByKind.AddOrUpdate(kind, 1, (_, count) => count + 1);
    }

    public void KeyMinted() => _keysMinted.Add(1);

    public void KeyRedeemed() => _keysRedeemed.Add(1);

    public void UnitsMoved(string kind, IReadOnlyDictionary<string, int> licenses)
    {
        foreach (var (type, units) in licenses)
        {
            _unitsMoved.Add(units, new("kind", kind), new("license_type", type));
        }
    }

    public void Dispose() => _meter.Dispose();

    private static IEnumerable<Measurement<long>> ByKind(System.Collections.Concurrent.ConcurrentDictionary<string, long> counts) =>
        counts.IsEmpty
            ? [new Measurement<long>(0, new KeyValuePair<string, object?>("kind", "any"))]
            : counts.Select(entry => new Measurement<long>(entry.Value, new KeyValuePair<string, object?>("kind", entry.Key)));
}
