using System.Collections.Immutable;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.History;

namespace OrleansLicensing.Grains.Ledger;

/// <summary>Project → project of the same company; the source balance never goes negative (R-P5).</summary>
public sealed class TransferBalanceMove : LedgerMove<ImmutableSortedDictionary<string, int>>
{
    private const string Refusal = "Units can be transferred only between the company's own projects";

    private readonly string _companyId;
    private readonly string _fromProjectId;
    private readonly string _toProjectId;
    private readonly ImmutableSortedDictionary<string, int> _licenses;

    public TransferBalanceMove(string companyId, string fromProjectId, string toProjectId, ImmutableSortedDictionary<string, int> licenses)
    {
        if (fromProjectId == toProjectId)
        {
            throw LicensingException.Validation("Source and target project are the same.");
        }

        (_companyId, _fromProjectId, _toProjectId, _licenses) = (companyId, fromProjectId, toProjectId, licenses);
        Holders = [ProjectHolder(fromProjectId), ProjectHolder(toProjectId)];
    }

    public override string Kind => "transfer-balance";

    public override IReadOnlyList<HolderRef> Holders { get; }

    public override async Task<ImmutableSortedDictionary<string, int>> ExecuteAsync(LedgerContext context)
    {
        await context.EnsureOwnProjectAsync(_companyId, _fromProjectId, Refusal);
        await context.EnsureOwnProjectAsync(_companyId, _toProjectId, Refusal);
        // The two write locks in one order for every transfer (by project id), so a transfer A→B
        // and one B→A never each hold one lock while waiting for the other (issue 15). A refused
        // debit aborts the credit with it.
        if (string.CompareOrdinal(_fromProjectId, _toProjectId) <= 0)
        {
            await context.Project(_fromProjectId).DebitAsync(_licenses);
            await context.Project(_toProjectId).CreditAsync(_licenses);
        }
        else
        {
            await context.Project(_toProjectId).CreditAsync(_licenses);
            await context.Project(_fromProjectId).DebitAsync(_licenses);
        }

        return _licenses;
    }

    public override IEnumerable<HistoryNote> History(ImmutableSortedDictionary<string, int> result) =>
    [
        new(_companyId, HistoryActions.BalanceTransferred, _fromProjectId, null, ChangeFeed.Details(("licenses", ChangeFeed.Describe(result)), ("to", _toProjectId))),
        new(_companyId, HistoryActions.BalanceTransferred, _toProjectId, null, ChangeFeed.Details(("licenses", ChangeFeed.Describe(result)), ("from", _fromProjectId))),
    ];

    public override IReadOnlyDictionary<string, int> UnitsMoved(ImmutableSortedDictionary<string, int> result) => result;

    public override IReadOnlyDictionary<string, int> UnitsDeclared => _licenses;
}
