using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.History;

namespace OrleansLicensing.Grains.Ledger;

/// <summary>A key's units into a project's balance, exactly once (R-K2): the key refuses a second assignment.</summary>
public sealed class RedeemKeyMove(string code, string companyId, string projectId, string? comment, TimeProvider time, string? redeemedBy = null) : LedgerMove<RedeemResult>
{
    public override string Kind => "redeem";

    public override IReadOnlyList<HolderRef> Holders { get; } = [KeyHolder(code), ProjectHolder(projectId)];

    public override async Task<RedeemResult> ExecuteAsync(LedgerContext context)
    {
        var at = time.GetUtcNow();
        var key = await context.Key(code).AssignAsync(companyId, projectId, comment, at);
        await context.Project(projectId).ReceiveKeyAsync(new RedeemedKey(code, key.Licenses, projectId, comment, at, redeemedBy));
        return new RedeemResult(code, key.Licenses, projectId);
    }

    public override IReadOnlyDictionary<string, int> UnitsMoved(RedeemResult result) => result.Licenses;

    public override IEnumerable<HistoryNote> History(RedeemResult result) =>
        [new(companyId, HistoryActions.KeyRedeemed, projectId, null, ChangeFeed.Details(("key", code), ("licenses", ChangeFeed.Describe(result.Licenses)), ("comment", comment)))];

    public override void CountCommitted(LedgerMetrics metrics) => metrics.KeyRedeemed();
}
