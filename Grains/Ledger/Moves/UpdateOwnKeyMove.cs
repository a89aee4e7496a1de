using System.Collections.Immutable;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.History;
using OrleansLicensing.Grains.Domain;

namespace OrleansLicensing.Grains.Ledger;

/// <summary>Balance ↔ an unassigned own key (R-K3): positive units leave the owner project's balance, negative ones return to it.</summary>
public sealed class UpdateOwnKeyMove(string companyId, string code, ImmutableSortedDictionary<string, int> delta) : LedgerMove<ActivationKeyView>
{
    public override string Kind => "own-key-update";

    public override IReadOnlyList<HolderRef> Holders { get; } = [KeyHolder(code)];

    public override async Task<ActivationKeyView> ExecuteAsync(LedgerContext context)
    {
        var after = await context.Key(code).UpdateOwnAsync(companyId, delta);
        var project = context.Project(after.OwnerProjectId!);
        var added = LicenseMath.ToMap(delta.Where(e => e.Value > 0));
        var removed = LicenseMath.ToMap(delta.Where(e => e.Value < 0).Select(e => KeyValuePair.Create(e.Key, -e.Value)));
        if (!added.IsEmpty)
        {
            await project.DebitAsync(added);
        }

        if (!removed.IsEmpty)
        {
            await project.CreditAsync(removed);
        }

        return after;
    }

    public override IEnumerable<HistoryNote> History(ActivationKeyView result) =>
        [new(companyId, HistoryActions.OwnKeyUpdated, result.OwnerProjectId, null, ChangeFeed.Details(("key", code), ("change", ChangeFeed.Describe(delta)), ("licenses", ChangeFeed.Describe(result.Licenses))))];

    public override IReadOnlyDictionary<string, int> UnitsMoved(ActivationKeyView result) =>
        LicenseMath.ToMap(delta.Select(e => KeyValuePair.Create(e.Key, Math.Abs(e.Value))));
}
