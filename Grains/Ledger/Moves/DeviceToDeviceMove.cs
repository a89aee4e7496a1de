using System.Collections.Immutable;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.History;

namespace OrleansLicensing.Grains.Ledger;

/// <summary>
/// Device → device (R-L5): everything but warranty lots, only onto a device of the same company
/// that holds nothing but warranty lots, checked under the target's write lock; the source is then RMA.
/// </summary>
public sealed class DeviceToDeviceMove : LedgerMove<ImmutableArray<LicenseLot>>
{
    private readonly string _companyId;
    private readonly string _fromMac;
    private readonly string _toMac;
    private string? _fromProjectId;
    private string? _toProjectId;

    public DeviceToDeviceMove(string companyId, string fromMac, string toMac)
    {
        if (fromMac == toMac)
        {
            throw LicensingException.Validation("Licenses cannot be moved to the same device.");
        }

        (_companyId, _fromMac, _toMac) = (companyId, fromMac, toMac);
        Holders = [DeviceHolder(fromMac), DeviceHolder(toMac)];
    }

    public override string Kind => "move-to-device";

    public override IReadOnlyList<HolderRef> Holders { get; }

    public override async Task<ImmutableArray<LicenseLot>> ExecuteAsync(LedgerContext context)
    {
        // Both devices' locks first, in one order (by MAC): a move A → B and one B → A otherwise
        // each held one device while waiting for the other until a lock timeout (issue 15).
        foreach (var mac in new[] { _fromMac, _toMac }.Order(StringComparer.Ordinal))
        {
            await context.Device(mac).LockAsync(_companyId);
        }

        var taken = await context.Device(_fromMac).TakeLotsAsync(_companyId, LotSelection.AllButWarranty, []);
        if (taken.Lots.IsEmpty)
        {
            throw new LicensingException(ErrorCodes.Conflict, $"{_fromMac} holds no licenses to move.");
        }

        var added = await context.Device(_toMac).AddLotsAsync(_companyId, taken.Lots, requireEmpty: true);
        (_fromProjectId, _toProjectId) = (taken.ProjectId, added.ProjectId);
        return taken.Lots;
    }

    public override IEnumerable<HistoryNote> History(ImmutableArray<LicenseLot> result)
    {
        var licenses = ChangeFeed.Describe(UnitsOf(result));
        return
        [
            new(_companyId, HistoryActions.LicensesMovedOut, _fromProjectId, _fromMac, ChangeFeed.Details(("licenses", licenses), ("to", _toMac))),
            new(_companyId, HistoryActions.LicensesMovedIn, _toProjectId, _toMac, ChangeFeed.Details(("licenses", licenses), ("from", _fromMac))),
        ];
    }

    public override IReadOnlyDictionary<string, int> UnitsMoved(ImmutableArray<LicenseLot> result) => UnitsOf(result);
}
