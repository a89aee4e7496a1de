using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.History;

namespace OrleansLicensing.Grains.Ledger;

/// <summary>Balance → a new own key (R-K3), debited from one of the company's own projects.</summary>
public sealed class CreateOwnKeyMove(string code, OwnKeyDraft draft, TimeProvider time) : LedgerMove<ActivationKeyView>
{
    public override string Kind => "own-key-create";

    public override IReadOnlyList<HolderRef> Holders { get; } = [KeyHolder(code), ProjectHolder(draft.ProjectId)];

    public override async Task<ActivationKeyView> ExecuteAsync(LedgerContext context)
    {
        await context.EnsureOwnProjectAsync(draft.CompanyId, draft.ProjectId, "Own keys are created only from the company's own projects");
        await context.Project(draft.ProjectId).DebitForOwnKeyAsync(code, draft.Licenses);
        return await context.Key(code).CreateOwnAsync(draft, time.GetUtcNow());
    }

    public override IEnumerable<HistoryNote> History(ActivationKeyView result) =>
        [new(draft.CompanyId, HistoryActions.OwnKeyCreated, draft.ProjectId, null, ChangeFeed.Details(("key", result.Key), ("licenses", ChangeFeed.Describe(result.Licenses)), ("comment", result.OwnComment)))];

    public override IReadOnlyDictionary<string, int> UnitsMoved(ActivationKeyView result) => draft.Licenses;
}
