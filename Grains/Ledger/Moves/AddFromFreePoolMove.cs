using System.Collections.Immutable;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.History;

namespace OrleansLicensing.Grains.Ledger;

/// <summary>
/// The free pool of the device's project → the device; lots keep bind date, SSA end and external
/// key (R-L4). The pool is chosen from where the device was seen, and the device confirms under
/// its lock that it is still there; if it moved in between, the attempt is refused as a stale
/// read and the runner tries again with a fresh look.
/// </summary>
public sealed class AddFromFreePoolMove : LedgerMove<ImmutableArray<LicenseLot>>
{
    private readonly string _companyId;
    private readonly string _mac;
    private readonly ImmutableArray<string> _lotIds;
    private string? _projectId;

    public AddFromFreePoolMove(string companyId, string mac, ImmutableArray<string> lotIds)
    {
        if (lotIds.IsDefaultOrEmpty)
        {
            throw LicensingException.Validation("Name the free-pool lots to add.");
        }

        (_companyId, _mac, _lotIds) = (companyId, mac, lotIds);
        Holders = [DeviceHolder(mac)];
    }

    public override string Kind => "add-from-free-pool";

    public override IReadOnlyList<HolderRef> Holders { get; }

    public override async Task<ImmutableArray<LicenseLot>> ExecuteAsync(LedgerContext context)
    {
        // Not part of the transaction and takes no lock: the device's one locking call is AddLotsAsync.
        var seen = await context.Device(_mac).GetAsync();
        if (seen.CompanyId != _companyId)
        {
            throw LicensingException.NotFound("The device");
        }

        var projectId = _projectId = seen.ProjectId
            ?? throw new LicensingException(ErrorCodes.DeviceNotInProject, "Add the device to a project before adding licenses from its free pool.");
        var lots = await context.Project(projectId).TakeFromFreePoolAsync(_lotIds);
        var change = await context.Device(_mac).AddLotsAsync(_companyId, lots, requiredProjectId: projectId);
        return change.Lots;
    }

    public override IEnumerable<HistoryNote> History(ImmutableArray<LicenseLot> result) =>
        [new(_companyId, HistoryActions.LicensesTakenFromFreePool, _projectId, _mac, ChangeFeed.Details(("licenses", ChangeFeed.Describe(UnitsMoved(result)))))];

    public override IReadOnlyDictionary<string, int> UnitsMoved(ImmutableArray<LicenseLot> result) => UnitsOf(result.Where(l => _lotIds.Contains(l.LotId)));
}
