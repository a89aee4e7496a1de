using System.Collections.Immutable;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.History;

namespace OrleansLicensing.Grains.Ledger;

/// <summary>
/// The free pool of the device's project → the device; lots keep bind date, SSA end and external
/// key (R-L4). The pool is the one of the project the device is in under its lock.
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
        // The device's lock first, as in every move that touches a device and a project (device,
        // then projects): taking the pool's lock first crossed a concurrent return of the same
        // device's lots to that pool (device → pool) until a lock timeout. Under the device's lock
        // its project cannot change, so the pool is the right one when the transaction commits.
        var projectId = _projectId = await context.Device(_mac).LockAsync(_companyId)
            ?? throw new LicensingException(ErrorCodes.DeviceNotInProject, "Add the device to a project before adding licenses from its free pool.");
        var lots = await context.Project(projectId).TakeFromFreePoolAsync(_lotIds);
        var change = await context.Device(_mac).AddLotsAsync(_companyId, lots, requiredProjectId: projectId);
        return change.Lots;
    }

    public override IEnumerable<HistoryNote> History(ImmutableArray<LicenseLot> result) =>
        [new(_companyId, HistoryActions.LicensesTakenFromFreePool, _projectId, _mac, ChangeFeed.Details(("licenses", ChangeFeed.Describe(UnitsMoved(result)))))];

    public override IReadOnlyDictionary<string, int> UnitsMoved(ImmutableArray<LicenseLot> result) => UnitsOf(result.Where(l => _lotIds.Contains(l.LotId)));
}
