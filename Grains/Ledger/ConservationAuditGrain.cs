using System.Collections.Immutable;
using Orleans.Concurrency;
using OrleansLicensing.Contracts;

namespace OrleansLicensing.Grains.Grains;

/// <summary>
/// The conservation audit (R-C2): minted units (the mint ledger) against the sum over every
/// registered holder plus consumed units. Holders are read one by one, each in its own read
/// transaction (retried when it meets contention or a transaction still being recovered after a
/// silo loss), a bounded number at a time; the result is exact when no move is in flight
/// (see docs/consistency.md).
/// </summary>
[StatelessWorker(1)]
public sealed class ConservationAuditGrain(TimeProvider time, AuditReports reports) : Grain, IConservationAuditGrain
{
    private const int Parallelism = 32;

    public async Task<AuditReport> RunAsync()
    {
        var shards = await Task.WhenAll(Enumerable.Range(0, IHolderRegistryGrain.Shards)
            .Select(shard => GrainFactory.GetGrain<IHolderRegistryGrain>(shard).ListAsync()));
        var holders = shards.SelectMany(s => s).ToArray();

        var holdings = new List<Holding>(holders.Length);
        foreach (var chunk in holders.Chunk(Parallelism))
        {
            holdings.AddRange(await Task.WhenAll(chunk.Select(ReadAsync)));
        }

        var minted = await GrainFactory.GetGrain<IMintLedgerGrain>(IMintLedgerGrain.Key).GetTotalsAsync();
        var held = new Dictionary<string, Dictionary<string, long>>(StringComparer.Ordinal);
        foreach (var holding in holdings)
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

        var types = minted.Minted.Keys.Concat(minted.Consumed.Keys).Concat(held.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        var lines = types.Select(type =>
        {
            var byKind = held.GetValueOrDefault(type) ?? [];
            var heldTotal = byKind.Values.Sum();
            var consumed = minted.Consumed.GetValueOrDefault(type);
            var mintedTotal = minted.Minted.GetValueOrDefault(type);
            return new AuditLine(type, mintedTotal, heldTotal, consumed, mintedTotal - heldTotal - consumed, byKind.ToImmutableSortedDictionary(StringComparer.Ordinal));
        }).ToImmutableArray();

        var report = new AuditReport(lines.All(l => l.Difference == 0), lines, holders.Length, time.GetUtcNow());
        reports.Publish(report);
        return report;
    }

    private Task<Holding> ReadAsync(HolderRef holder) => TransientFailures.ReadAsync(() => holder.Kind switch
    {
        HolderKinds.Project => GrainFactory.GetGrain<IProjectGrain>(holder.Id).GetHoldingAsync(),
        HolderKinds.Key => GrainFactory.GetGrain<IActivationKeyGrain>(holder.Id).GetHoldingAsync(),
        HolderKinds.Device => GrainFactory.GetGrain<IDeviceGrain>(holder.Id).GetHoldingAsync(),
        _ => throw new InvalidOperationException($"Unknown holder kind '{holder.Kind}'."),
    });
}
