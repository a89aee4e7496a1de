using System.Collections.Immutable;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Domain;

namespace OrleansLicensing.Grains.Ledger;

/// <summary>The vendor mints a key (R-K1) and the mint ledger records the units (R-C2), together.</summary>
public sealed class MintKeyMove(string code, ImmutableSortedDictionary<string, int> licenses, string? orderNumber) : LedgerMove<ActivationKeyView>
{
    public override string Kind => "mint";

    public override IReadOnlyList<HolderRef> Holders { get; } = [KeyHolder(code)];

    public override async Task<ActivationKeyView> ExecuteAsync(LedgerContext context)
    {
        var minted = await context.Key(code).MintAsync(licenses, orderNumber);
        await context.MintLedger.RecordMintAsync(licenses);
        return minted;
    }

    /// <summary>Minting creates units; it moves none between holders.</summary>
    public override IReadOnlyDictionary<string, int> UnitsMoved(ActivationKeyView result) => LicenseMath.Empty;

    public override bool UnitsMovedBoundTheChange => false;

    public override void CountCommitted(LedgerMetrics metrics) => metrics.KeyMinted();
}
