using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.History;

namespace OrleansLicensing.Grains.Ledger;

/// <summary>An unassigned own key → back into its owner project's balance, deleting the key (R-K3).</summary>
public sealed class DeleteOwnKeyMove(string companyId, string code) : LedgerMove<ActivationKeyView>
{
    public override string Kind => "own-key-delete";

    public override IReadOnlyList<HolderRef> Holders { get; } = [KeyHolder(code)];

    public override async Task<ActivationKeyView> ExecuteAsync(LedgerContext context)
    {
        var deleted = await context.Key(code).DeleteOwnAsync(companyId);
        await context.Project(deleted.OwnerProjectId!).ReturnOwnKeyAsync(code, deleted.Licenses);
        return deleted;
    }

    public override IEnumerable<HistoryNote> History(ActivationKeyView result) =>
        [new(companyId, HistoryActions.OwnKeyDeleted, result.OwnerProjectId, null, ChangeFeed.Details(("key", code), ("licenses", ChangeFeed.Describe(result.Licenses))))];

    public override IReadOnlyDictionary<string, int> UnitsMoved(ActivationKeyView result) => result.Licenses;
}
