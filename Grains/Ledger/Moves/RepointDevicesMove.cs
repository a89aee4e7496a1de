using System.Collections.Immutable;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Domain;
using OrleansLicensing.Grains.History;

namespace OrleansLicensing.Grains.Ledger;

/// <summary>
/// A batch of a join (R-U3, R-P4): the devices' company and/or project change, and for a project
/// join into a project under SSA the paid-for lots get its SSA end. No unit changes holder, but
/// membership lives under the lots' lock, so each device changes serializably with every move
/// that checks it, and the runner refreshes the devices' poll answers after the commit.
/// </summary>
public sealed class RepointDevicesMove : LedgerMove<ImmutableArray<string>>
{
    private readonly Repoint _repoint;
    private readonly ImmutableArray<DeviceRepoint> _devices;

    public RepointDevicesMove(Repoint repoint, ImmutableArray<DeviceRepoint> devices)
    {
        (_repoint, _devices) = (repoint, devices);
        Holders = [.. devices.Select(d => DeviceHolder(d.Mac))];
    }

    public override string Kind => "join-devices";

    public override IReadOnlyList<HolderRef> Holders { get; }

    public override async Task<ImmutableArray<string>> ExecuteAsync(LedgerContext context)
    {
        // One call per device and transaction: a second would queue behind a membership change waiting for this lock.
        var changed = await Task.WhenAll(_devices.Select(async d => await context.Device(d.Mac).RepointAsync(_repoint, d.ExtendLotIds) ? d.Mac : null));
        return [.. changed.OfType<string>()];
    }

    public override IEnumerable<HistoryNote> History(ImmutableArray<string> result) =>
        result.Select(mac => new HistoryNote(_repoint.ToCompanyId, HistoryActions.DeviceMoved, _repoint.ToProjectId, mac, ChangeFeed.Details(
            ("fromCompanyId", _repoint.FromCompanyId == _repoint.ToCompanyId ? null : _repoint.FromCompanyId),
            ("fromProjectId", _repoint.FromProjectId),
            ("ssaEndDate", _devices.Any(d => d.Mac == mac && !d.ExtendLotIds.IsDefaultOrEmpty) ? _repoint.SsaEndDate?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) : null))));

    public override IReadOnlyDictionary<string, int> UnitsMoved(ImmutableArray<string> result) => LicenseMath.Empty;
}
