using System.Collections.Immutable;
using Orleans.Runtime;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Grains;

namespace OrleansLicensing.Grains.Ledger;

/// <summary>
/// The conservation audit (R-C2): minted units (the mint ledger) against the sum over every
/// registered holder plus consumed units. Holders are read one by one, each in its own read
/// transaction (retried when it meets contention or a transaction still being recovered after a
/// silo loss), <see cref="Parallelism"/> at a time; a holder whose activation only the audit's
/// read brought into memory leaves it again right after (<see cref="AuditReadFilter"/>), so a pass
/// never holds more than about <see cref="Parallelism"/> of them in memory.
/// </summary>
/// <remarks>
/// A move that commits between two holder reads is counted on neither or on both sides, so a
/// pass over the holders is exact only when no move overlapped it. Every silo's
/// <see cref="MoveTracker"/>, asked through its <see cref="IMoveWatchService"/>, says which moves
/// did, and by how many units of each type each can shift the difference. A difference larger
/// than that bound is real at once; a smaller one is read again in a new pass once those moves
/// ended, up to <see cref="Passes"/> passes. What no pass settles is reported as unsettled
/// (docs/consistency.md), never as a difference. Run by <see cref="ConservationAuditGrain"/> (a
/// caller waits for it) and by the cluster's audit job in <see cref="AuditScheduleGrain"/>.
/// </remarks>
public sealed class ConservationAudit(IGrainFactory grains, TimeProvider time, IMoveWatchClient watches, IClusterMembershipService membership)
{
    public const int Parallelism = 32;
    private const int Passes = 3;
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Runs the audit to its report; <paramref name="progress"/> hears after every batch of reads.</summary>
    public async Task<AuditReport> RunAsync(Action<AuditProgress>? progress = null)
    {
        var startedAt = time.GetUtcNow();
        for (var pass = 1; ; pass++)
        {
            // Every silo's moves, not only this one's: a move runs where its request arrived.
            var watch = await ClusterWatch.OpenAsync(watches, membership);
            try
            {
                AuditReport report;
                try
                {
                    report = await ReadOnceAsync(startedAt, pass, progress);
                }
                finally
                {
                    await watch.CloseAsync();
                }

                var differing = report.LicenseTypes.Where(line => line.Difference != 0).Select(line => line.Type).ToImmutableArray();
                IReadOnlyDictionary<string, long?> bounds = differing.IsEmpty ? new Dictionary<string, long?>() : await watch.BoundsAsync(differing);
                var explained = report.LicenseTypes
                    .Where(line => line.Difference != 0 && (bounds[line.Type] is not { } bound || Math.Abs(line.Difference) <= bound))
                    .Select(line => line.Type)
                    .ToImmutableArray();
                if (explained.IsEmpty || pass == Passes)
                {
                    return report with { Unsettled = explained };
                }

                // Some difference may be a move in flight: read again once the moves met have ended.
                await watch.SettledAsync(SettleTimeout);
            }
            finally
            {
                await watch.ReleaseAsync();
            }
        }
    }

    /// <summary>One pass over every registered holder and the mint ledger.</summary>
    /// <remarks>
    /// The shards are walked in <see cref="IHolderRegistryGrain.FirstLayoutShards"/> groups (the
    /// shards congruent modulo 16), one group at a time, so only a sixteenth of the index is in
    /// the audit's memory at once. An entry of the first layout sits in shard <c>hash % 16</c>;
    /// its shard of today is in the same group, so a holder registered in both is counted once.
    /// </remarks>
    private async Task<AuditReport> ReadOnceAsync(DateTimeOffset startedAt, int pass, Action<AuditProgress>? progress)
    {
        var known = (await Task.WhenAll(Enumerable.Range(0, IHolderRegistryGrain.Shards)
            .Select(shard => grains.GetGrain<IHolderRegistryGrain>(shard).CountAsync()))).Sum();
        progress?.Invoke(new AuditProgress(startedAt, pass, 0, known));
        var minted = await grains.GetGrain<IMintLedgerGrain>(IMintLedgerGrain.Key).GetTotalsAsync();
        var held = new Dictionary<string, Dictionary<string, long>>(StringComparer.Ordinal);
        var count = 0;
        for (var group = 0; group < IHolderRegistryGrain.FirstLayoutShards; group++)
        {
            var shards = await Task.WhenAll(Enumerable.Range(0, IHolderRegistryGrain.Shards / IHolderRegistryGrain.FirstLayoutShards)
                .Select(i => grains.GetGrain<IHolderRegistryGrain>(group + (i * IHolderRegistryGrain.FirstLayoutShards)).ListAsync()));
            foreach (var chunk in shards.SelectMany(s => s).Distinct().Chunk(Parallelism))
            {
                foreach (var holding in await Task.WhenAll(chunk.Select(ReadAsync)))
                {
                    foreach (var (type, units) in holding.Units)
                    {
                        if (!held.TryGetValue(type, out var byKind))
                        {
                            held[type] = byKind = new Dictionary<string, long>(StringComparer.Ordinal);
                        }

                        byKind[holding.Kind] = byKind.GetValueOrDefault(holding.Kind) + units;
                    }
                }

                count += chunk.Length;
                progress?.Invoke(new AuditProgress(startedAt, pass, count, Math.Max(known, count)));
            }
        }

        var types = minted.Minted.Keys.Concat(minted.Consumed.Keys).Concat(held.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        var lines = types.Select(type =>
        {
            var byKind = held.GetValueOrDefault(type) ?? [];
            var heldTotal = byKind.Values.Sum();
            var consumed = minted.Consumed.GetValueOrDefault(type);
            var mintedTotal = minted.Minted.GetValueOrDefault(type);
            return new AuditLine(type, mintedTotal, heldTotal, consumed, mintedTotal - heldTotal - consumed, byKind.ToImmutableSortedDictionary(StringComparer.Ordinal));
        }).ToImmutableArray();

        return new AuditReport(lines.All(l => l.Difference == 0), lines, count, time.GetUtcNow());
    }

    /// <summary>Reads one holder, marked as the audit's read (<see cref="AuditReadFilter"/>) for this call only.</summary>
    private async Task<Holding> ReadAsync(HolderRef holder)
    {
        // A device's id also names the grains its activation loads (AuditReadFilter); other kinds name none.
        RequestContext.Set(AuditReadFilter.Key, holder.Kind == HolderKinds.Device ? holder.Id : string.Empty);
        try
        {
            return await TransientFailures.ReadAsync(() => grains.Holder(holder).GetHoldingAsync());
        }
        finally
        {
            RequestContext.Remove(AuditReadFilter.Key);
        }
    }
}
