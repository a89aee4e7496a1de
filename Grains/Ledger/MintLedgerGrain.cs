using System.Collections.Immutable;
using Orleans.Transactions.Abstractions;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.State;

namespace OrleansLicensing.Grains.Grains;

/// <summary>
/// The minting side of the conservation audit (R-C2). Units are minted only by the vendor, so
/// this single grain is touched rarely (mints, imports, credit purchases, SSC consumption),
/// never by ordinary moves between holders.
/// </summary>
public sealed class MintLedgerGrain(
    [TransactionalState("mintLedger", StorageNames.Licensing)] ITransactionalState<MintLedgerState> ledger) : Grain, IMintLedgerGrain
{
    public Task RecordMintAsync(ImmutableSortedDictionary<string, int> licenses, string source = LotSources.ActivationKey) =>
        ledger.PerformUpdate(state =>
        {
            state.Minted = Add(state.Minted, licenses);
            var bySource = state.MintedBySource.GetValueOrDefault(source, ImmutableSortedDictionary.Create<string, long>(StringComparer.Ordinal));
            state.MintedBySource = state.MintedBySource.SetItem(source, Add(bySource, licenses));
        });

    public Task RecordConsumedAsync(ImmutableSortedDictionary<string, int> licenses) =>
        ledger.PerformUpdate(state => state.Consumed = Add(state.Consumed, licenses));

    public Task<MintTotals> GetTotalsAsync() => ledger.PerformRead(state => new MintTotals(state.Minted, state.Consumed) { MintedBySource = state.MintedBySource });

    private static ImmutableSortedDictionary<string, long> Add(ImmutableSortedDictionary<string, long> totals, ImmutableSortedDictionary<string, int> units)
    {
        var builder = totals.ToBuilder();
        foreach (var (type, count) in units)
        {
            builder[type] = checked(builder.GetValueOrDefault(type) + count);
        }

        return builder.ToImmutable();
    }
}
