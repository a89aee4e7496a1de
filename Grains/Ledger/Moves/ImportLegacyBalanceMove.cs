using System.Collections.Immutable;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Domain;
using OrleansLicensing.Grains.History;

namespace OrleansLicensing.Grains.Ledger;

/// <summary>
/// An old group's balance into a project (R-I2): the group's import mark, the project's credit and
/// the mint ledger's record (source Import, R-C2) in one transaction; a group already imported is
/// refused with AlreadyImported and nothing is minted.
/// </summary>
public sealed class ImportLegacyBalanceMove(string companyId, string projectId, string groupId, DateTimeOffset at) : LedgerMove<ImmutableSortedDictionary<string, int>>
{
    public override string Kind => "import-balance";

    public override IReadOnlyList<HolderRef> Holders { get; } = [ProjectHolder(projectId)];

    public override async Task<ImmutableSortedDictionary<string, int>> ExecuteAsync(LedgerContext context)
    {
        await context.EnsureOwnProjectAsync(companyId, projectId, "Old balances are imported only into the company's own projects");
        var balance = await context.Grains.GetGrain<ILegacyGroupGrain>(groupId).TakeBalanceAsync(companyId, projectId, at);
        if (!balance.IsEmpty)
        {
            await context.Project(projectId).CreditAsync(balance);
            await context.MintLedger.RecordMintAsync(balance, LotSources.Import);
        }

        return balance;
    }

    /// <summary>Minting creates units; it moves none between holders.</summary>
    public override IReadOnlyDictionary<string, int> UnitsMoved(ImmutableSortedDictionary<string, int> result) => LicenseMath.Empty;

    public override bool UnitsMovedBoundTheChange => false;

    public override IEnumerable<HistoryNote> History(ImmutableSortedDictionary<string, int> result) =>
        [new(companyId, HistoryActions.LegacyImported, projectId, null, ChangeFeed.Details(("group", groupId), ("balance", ChangeFeed.Describe(result))))];
}
