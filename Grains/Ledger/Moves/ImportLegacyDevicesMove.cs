using System.Collections.Immutable;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Domain;
using OrleansLicensing.Grains.History;
using OrleansLicensing.Grains.Legacy;

namespace OrleansLicensing.Grains.Ledger;

/// <summary>
/// A batch of old devices into a project (R-I2): per device, its legacy import mark (in its MAC
/// block's grain, so a batch of neighbouring MACs adds one or two participants, not one per device) and its
/// licenses as lots of source Import on the device (which must be in the project), and the mint
/// ledger's record of all of them, in one transaction. A device imported before (by a concurrent
/// import) gives nothing and is reported AlreadyImported; the others are imported, with the warning
/// SeveralUsers when their licenses came from several old users. The devices must already be
/// members of the project: membership changes in a transaction of its own (DeviceGrain).
/// </summary>
public sealed class ImportLegacyDevicesMove : LedgerMove<ImmutableArray<LegacyDeviceResult>>
{
    private readonly string _companyId;
    private readonly string _projectId;
    private readonly ImmutableArray<string> _macs;
    private readonly DateTimeOffset _at;

    public ImportLegacyDevicesMove(string companyId, string projectId, ImmutableArray<string> macs, DateTimeOffset at)
    {
        (_companyId, _projectId, _macs, _at) = (companyId, projectId, [.. macs.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)], at);
        Holders = [.. _macs.Select(DeviceHolder)];
    }

    public override string Kind => "import-devices";

    public override IReadOnlyList<HolderRef> Holders { get; }

    public override async Task<ImmutableArray<LegacyDeviceResult>> ExecuteAsync(LedgerContext context)
    {
        await context.EnsureOwnProjectAsync(_companyId, _projectId, "Old devices are imported only into the company's own projects");

        // The devices as exported (persistent state, read outside the transaction's locks: the
        // export does not change once loaded), then their marks: one participant per MAC block,
        // which answers the MACs no import took before.
        var exported = (await Task.WhenAll(_macs.Select(mac => context.Grains.GetGrain<ILegacyDeviceGrain>(mac).GetExportedAsync())))
            .OfType<LegacyExportedDevice>()
            .ToDictionary(d => d.Device.Mac, d => d.Device, StringComparer.Ordinal);
        var blocks = await Task.WhenAll(_macs.Where(exported.ContainsKey).GroupBy(LegacyImportMarks.BlockOf, StringComparer.Ordinal).Select(block =>
            context.Grains.GetGrain<ILegacyImportMarkGrain>(block.Key).TakeAsync([.. block], _companyId, _projectId, _at)));
        var taken = blocks.SelectMany(b => b).ToHashSet(StringComparer.Ordinal);

        // One call per device grain and transaction (DeviceGrain's remark).
        var results = await Task.WhenAll(_macs.Select(async mac =>
        {
            if (!taken.Contains(mac))
            {
                return new LegacyDeviceResult(mac, LegacyDeviceStatus.Error, ErrorCodes.AlreadyImported, []);
            }

            var device = exported[mac];
            var lots = LegacyLots.Of(device);
            if (!lots.IsEmpty)
            {
                await context.Device(mac).AddLotsAsync(_companyId, lots, requiredProjectId: _projectId);
            }

            return device.SeveralUsers
                ? new LegacyDeviceResult(mac, LegacyDeviceStatus.Warning, ErrorCodes.SeveralUsers, lots)
                : new LegacyDeviceResult(mac, LegacyDeviceStatus.Imported, null, lots);
        }));

        var minted = UnitsOf(results.SelectMany(r => r.Lots));
        if (!minted.IsEmpty)
        {
            await context.MintLedger.RecordMintAsync(minted, LotSources.Import);
        }

        return [.. results];
    }

    /// <summary>Minting creates units; it moves none between holders.</summary>
    public override IReadOnlyDictionary<string, int> UnitsMoved(ImmutableArray<LegacyDeviceResult> result) => LicenseMath.Empty;

    public override bool UnitsMovedBoundTheChange => false;

    public override IEnumerable<HistoryNote> History(ImmutableArray<LegacyDeviceResult> result) =>
        result.Where(r => r.Status != LegacyDeviceStatus.Error).Select(r =>
            new HistoryNote(_companyId, HistoryActions.LegacyImported, _projectId, r.Mac, ChangeFeed.Details(("licenses", ChangeFeed.Describe(UnitsOf(r.Lots))), ("warning", r.Code))));
}
