using System.Collections.Immutable;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.History;

namespace OrleansLicensing.Grains.Ledger;

/// <summary>
/// Device → the free pool of the project the device is in (its PBX lots, or the named ones). The
/// device reports its project under the same lock it takes the lots with, so the pool is the one
/// of its project when the transaction commits, whatever moved before.
/// </summary>
public sealed class ReturnToFreePoolMove(string companyId, string mac, ImmutableArray<string> lotIds) : LedgerMove<ImmutableArray<LicenseLot>>
{
    private string? _projectId;

    public override string Kind => "return-to-free-pool";

    public override IReadOnlyList<HolderRef> Holders { get; } = [DeviceHolder(mac)];

    public override async Task<ImmutableArray<LicenseLot>> ExecuteAsync(LedgerContext context)
    {
        var taken = await context.Device(mac).TakeLotsAsync(companyId, lotIds.IsDefaultOrEmpty ? LotSelection.Pbx : LotSelection.ByIds, lotIds.IsDefault ? [] : lotIds);
        var projectId = _projectId = taken.ProjectId
            ?? throw new LicensingException(ErrorCodes.DeviceNotInProject, "Only a device in a project can return licenses to its free pool.");
        if (!taken.Lots.IsEmpty)
        {
            await context.Project(projectId).AddToFreePoolAsync(taken.Lots);
        }

        return taken.Lots;
    }

    public override IEnumerable<HistoryNote> History(ImmutableArray<LicenseLot> result) =>
        [new(companyId, HistoryActions.LicensesReturnedToFreePool, _projectId, mac, ChangeFeed.Details(("licenses", ChangeFeed.Describe(UnitsOf(result)))))];

    public override IReadOnlyDictionary<string, int> UnitsMoved(ImmutableArray<LicenseLot> result) => UnitsOf(result);
}
