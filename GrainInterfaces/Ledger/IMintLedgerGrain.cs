using System.Collections.Immutable;

namespace OrleansLicensing.Contracts;

/// <summary>Units minted and consumed per license type (R-C2); changed in the minting transaction.</summary>
public interface IMintLedgerGrain : IGrainWithStringKey
{
    public const string Key = "global";

    /// <summary>Records minted units under their source (<see cref="LotSources"/>: a key, an import, a purchase on credit).</summary>
    [Transaction(TransactionOption.Join)]
    Task RecordMintAsync(ImmutableSortedDictionary<string, int> licenses, string source = LotSources.ActivationKey);

    [Transaction(TransactionOption.Join)]
    Task RecordConsumedAsync(ImmutableSortedDictionary<string, int> licenses);

    [Transaction(TransactionOption.CreateOrJoin)]
    Task<MintTotals> GetTotalsAsync();
}
