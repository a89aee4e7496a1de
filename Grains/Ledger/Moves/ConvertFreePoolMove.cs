using System.Collections.Immutable;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.History;
using OrleansLicensing.Grains.Domain;

namespace OrleansLicensing.Grains.Ledger;

/// <summary>
/// Free pool → balance of the same project (R-V6): one year of SSC per unit is paid from the
/// balance and consumed (R-C2); the lots' SSA and external key are dropped. With a version, a lot
/// under SSA (its SSA end not past) converts to that version — one released after the lot's and on
/// or before its SSA end: a type the version no longer offers (a V7 PBX package) becomes the
/// cheapest combination of that version's port packages with the same ports (R-L3's optimiser);
/// its own units are recorded consumed and the new ones minted (source Conversion), so the audit
/// still balances per type. A version for a lot not under SSA, or one it cannot reach, is VersionNotOffered.
/// </summary>
public sealed class ConvertFreePoolMove : LedgerMove<ImmutableSortedDictionary<string, int>>
{
    private const string SscType = "SSC";

    private readonly string _companyId;
    private readonly string _projectId;
    private readonly ImmutableArray<string> _lotIds;
    private readonly Catalog _catalog;
    private readonly string? _version;
    private readonly DateOnly _today;

    public ConvertFreePoolMove(string companyId, string projectId, ImmutableArray<string> lotIds, Catalog catalog, string? version = null, DateOnly today = default)
    {
        (_version, _today) = (version is null ? null : catalog.GetVersion(version).Version, today);
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
        var converted = _version is null ? units : LicenseMath.ToMap(lots.SelectMany(ConvertedTo));
        if (!converted.SequenceEqual(units))
        {
            // The lot's types are exchanged for the version's: consumed and minted, per type (R-C2).
            await context.MintLedger.RecordConsumedAsync(units);
            await context.MintLedger.RecordMintAsync(converted, LotSources.Conversion);
        }

        await project.CreditAsync(converted);
        return converted;
    }

    /// <summary>What one lot becomes at <see cref="_version"/> (R-V6).</summary>
    private IEnumerable<KeyValuePair<string, int>> ConvertedTo(LicenseLot lot)
    {
        var target = _catalog.GetVersion(_version!);
        if (lot.Version == target.Version)
        {
            return [KeyValuePair.Create(lot.Type, lot.Units)];
        }

        var ssaEnd = lot.SsaEndDate is { } end && end >= _today ? end : (DateOnly?)null;
        if (ssaEnd is null || target.Number < _catalog.GetVersion(lot.Version).Number || target.ReleaseDate > ssaEnd)
        {
            throw new LicensingException(ErrorCodes.VersionNotOffered, ssaEnd is null
                ? $"The lot of {lot.Type} is not under SSA; it converts in its own version {lot.Version}."
                : $"The lot of {lot.Type} ({lot.Version}, SSA until {ssaEnd:yyyy-MM-dd}) converts to versions from {lot.Version} released on or before its SSA end, not {target.Version}.");
        }

        var type = _catalog.TryGetLicenseType(lot.Type, out var t) ? t : throw new LicensingException(ErrorCodes.UnknownLicenseType, $"License type '{lot.Type}' is not in the catalog.");
        if (type.MaxVersion is null || _catalog.GetVersion(type.MaxVersion).Number >= target.Number)
        {
            return [KeyValuePair.Create(lot.Type, lot.Units)];
        }

        var unlimited = _catalog.LicenseTypes.ToDictionary(l => l.Code, _ => Catalog.MaxUnitsPerEntry, StringComparer.Ordinal);
        var plan = type.Category == LicenseCategory.PbxPackage && type.Ports > 0
            ? PackageOptimiser.Cheapest(checked(type.Ports * lot.Units), PackageOptimiser.Options(_catalog, target.Version, unlimited))
            : null;
        return plan?.Licenses ?? throw new LicensingException(ErrorCodes.VersionNotOffered, $"{lot.Type} has no counterpart in {target.Version}.");
    }

    public override IEnumerable<HistoryNote> History(ImmutableSortedDictionary<string, int> result) =>
        [new(_companyId, HistoryActions.FreeLicensesConverted, _projectId, null, ChangeFeed.Details(("licenses", ChangeFeed.Describe(result))))];

    public override IReadOnlyDictionary<string, int> UnitsMoved(ImmutableSortedDictionary<string, int> result) => result;

    /// <summary>It consumes SSC and turns lots into balance of possibly other types: no bound by the units moved.</summary>
    public override bool UnitsMovedBoundTheChange => false;
}
