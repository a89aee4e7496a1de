using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Domain;
using OrleansLicensing.Grains.History;

namespace OrleansLicensing.Grains.Ledger;

/// <summary>
/// A user's download of a license file (R-V2..R-V4). No units move; it runs through the ledger
/// because an unencrypted download changes the device's state — the lots in the file become not
/// returnable (R-V4) — under the same device lock as every invalidation, so a download and an
/// invalidation of the same lot are ordered one way or the other, never interleaved.
/// </summary>
public sealed class DownloadLicenseFileMove(string companyId, string mac, string version, bool? encrypted, DateOnly today) : LedgerMove<LicenseFile>
{
    public override string Kind => "license-file-download";

    public override IReadOnlyList<HolderRef> Holders { get; } = [DeviceHolder(mac)];

    public override Task<LicenseFile> ExecuteAsync(LedgerContext context) =>
        context.Device(mac).PrepareLicenseFileAsync(companyId, version, encrypted, today);

    public override IReadOnlyDictionary<string, int> UnitsMoved(LicenseFile result) => LicenseMath.Empty;

    public override IEnumerable<HistoryNote> History(LicenseFile result) =>
        [new(companyId, HistoryActions.LicenseFileDownloaded, result.ProjectId, mac, ChangeFeed.Details(
            ("version", result.Version),
            ("encrypted", result.Encrypted ? "true" : "false"),
            ("notReturnable", result.MarkedNotReturnable.IsEmpty ? null : string.Join(", ", result.MarkedNotReturnable))))];
}
