using System.Collections.Immutable;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.History;
using OrleansLicensing.Grains.Domain;

namespace OrleansLicensing.Grains.Ledger;

/// <summary>
/// Free pool → balance of the same project (R-V6): one year of SSC per unit is paid from the
/// balance and consumed (R-C2); the lots' SSA and external key are dropped.
/// </summary>
public sealed class ConvertFreePoolMove : LedgerMove<ImmutableSortedDictionary<string, int>>
{
    private const string SscType = "SSC";

    private readonly string _companyId;
    private readonly string _projectId;
    private readonly ImmutableArray<string> _lotIds;
    private readonly Catalog _catalog;

    public ConvertFreePoolMove(string companyId, string projectId, ImmutableArray<string> lotIds, Catalog catalog)
    {
        if (lotIds.IsDefaultOrEmpty)
        {
            throw LicensingException.Validation("Name the free-pool lots to convert.");
        }

        (_companyId, _projectId, _lotIds, _catalog) = (companyId, projectId, lotIds, catalog);
        Holders = [ProjectHolder(projectId)];
    }

    public override string Kind => "convert-free-pool";

    public override IReadOnlyList<HolderRef> Holders { get; }

    public override async Task<ImmutableSortedDictionary<string, int>> ExecuteAsync(LedgerContext context)
    {
        await context.EnsureOwnProjectAsync(_companyId, _projectId, "Only the company's own projects can convert free licenses");
        var project = context.Project(_projectId);
        var lots = await project.TakeFromFreePoolAsync(_lotIds);

        var cost = lots.Sum(lot => (long)lot.Units * (_catalog.TryGetLicenseType(lot.Type, out var type) ? type.SscPerUnitPerYear : 0));
        if (cost > 0)
        {
            var ssc = LicenseMath.ToMap([KeyValuePair.Create(SscType, checked((int)cost))]);
            await project.DebitAsync(ssc);
            await context.MintLedger.RecordConsumedAsync(ssc);
        }

        var units = UnitsOf(lots);
        await project.CreditAsync(units);
        return units;
    }

    public override IEnumerable<HistoryNote> History(ImmutableSortedDictionary<string, int> result) =>
        [new(_companyId, HistoryActions.FreeLicensesConverted, _projectId, null, ChangeFeed.Details(("licenses", ChangeFeed.Describe(result))))];

    public override IReadOnlyDictionary<string, int> UnitsMoved(ImmutableSortedDictionary<string, int> result) => result;

    /// <summary>It consumes SSC and turns lots into balance of possibly other types: no bound by the units moved.</summary>
    public override bool UnitsMovedBoundTheChange => false;
}
