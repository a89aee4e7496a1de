using System.Globalization;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.History;

namespace OrleansLicensing.Grains.Ledger;

/// <summary>
/// Invalidation (R-V5): the PBX lots a verified invalidation document returns go from the device
/// to the free pool of the project the device is in, in one transaction with the device's replay
/// check, returnability check (R-V4), NoDowngrade flag and the record the confirmation file is
/// built from. Gateway licenses and warranty extensions stay on the device.
/// </summary>
public sealed class InvalidateMove(string companyId, string mac, InvalidationClaim claim, DateTimeOffset now) : LedgerMove<InvalidationResult>
{
    public override string Kind => "invalidate";

    public override IReadOnlyList<HolderRef> Holders { get; } = [DeviceHolder(mac)];

    public override async Task<InvalidationResult> ExecuteAsync(LedgerContext context)
    {
        var result = await context.Device(mac).InvalidateAsync(companyId, claim, now);
        var projectId = result.Invalidation.ProjectId
            ?? throw new LicensingException(ErrorCodes.DeviceNotInProject, "Only a device in a project can return licenses to its free pool.");
        await context.Project(projectId).AddToFreePoolAsync(result.Invalidation.Returned);
        return result;
    }

    public override IReadOnlyDictionary<string, int> UnitsMoved(InvalidationResult result) => UnitsOf(result.Invalidation.Returned);

    public override IEnumerable<HistoryNote> History(InvalidationResult result) =>
        [new(companyId, HistoryActions.LicensesInvalidated, result.Invalidation.ProjectId, mac, ChangeFeed.Details(
            ("licenses", ChangeFeed.Describe(UnitsOf(result.Invalidation.Returned))),
            ("sequence", result.Invalidation.Sequence.ToString(CultureInfo.InvariantCulture)),
            ("noDowngrade", result.Invalidation.NoDowngrade ? "true" : "false")))];
}
