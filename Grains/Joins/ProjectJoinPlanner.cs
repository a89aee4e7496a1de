using System.Collections.Immutable;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Domain;

namespace OrleansLicensing.Grains.Joins;

/// <summary>
/// What joining one project into another moves (R-P4) and, when the target is under SSA, the
/// quote for bringing the source's device lots to the target's SSA end (R-S1..R-S3, priced by
/// <see cref="SscCalculator"/>). Used for the preview and, with the source locked, for the plan
/// the join pays and applies.
/// </summary>
public sealed class ProjectJoinPlanner(IGrainFactory grains, Catalog catalog)
{
    private readonly SscCalculator _calculator = new(catalog);

    public async Task<ProjectJoinPreview> PreviewAsync(string companyId, string sourceProjectId, string targetProjectId, DateOnly calculationDate)
    {
        if (sourceProjectId == targetProjectId)
        {
            throw LicensingException.Validation("A project cannot be joined into itself.");
        }

        var source = grains.GetGrain<IProjectGrain>(sourceProjectId);
        var target = await grains.GetGrain<IProjectGrain>(targetProjectId).GetAsync();
        if ((await source.GetAsync()).CompanyId != companyId || target.CompanyId != companyId)
        {
            throw LicensingException.NotFound("The project");
        }

        if ((await grains.GetGrain<ICompanyGrain>(companyId).GetAsync()).DefaultProjectId == sourceProjectId)
        {
            throw new LicensingException(ErrorCodes.Conflict, "The company's default project cannot be joined into another (it is never deleted); join the other project into it instead.");
        }

        if (!(await source.ListRightsAsync()).IsEmpty)
        {
            throw new LicensingException(ErrorCodes.ProjectHasExternalRights, "The project grants rights to other companies; revoke them before joining it into another project.");
        }

        var devices = await source.ListDevicesAsync();
        var ssaEnd = target.SsaEndDate is { } end && end >= calculationDate ? end : (DateOnly?)null;
        var ssa = ImmutableArray<ProjectJoinSscLot>.Empty;
        if (ssaEnd is { } until)
        {
            var perDevice = await Task.WhenAll(devices.Select(async mac =>
                (await grains.GetGrain<IDeviceGrain>(mac).GetLotsAsync()).Where(lot => NeedsExtension(lot, until))
                    .Select(lot => new ProjectJoinSscLot(mac, lot.LotId, _calculator.QuoteLot(new SscLot(lot.Type, lot.Units, lot.Version, lot.BindDate, lot.SsaEndDate), calculationDate, until)))));
            ssa = [.. perDevice.SelectMany(lots => lots)];
        }

        return new ProjectJoinPreview(
            sourceProjectId,
            targetProjectId,
            devices,
            await source.GetBalanceAsync(),
            await source.GetFreePoolAsync(),
            [.. (await source.ListRedeemedKeysAsync()).Select(k => k.Key)],
            [.. await source.ListOwnKeyCodesAsync()],
            ssaEnd,
            calculationDate,
            ssa,
            ssa.Sum(lot => lot.Quote.Ssc));
    }

    /// <summary>A lot the target's SSA covers for a price: not a warranty or credit, priced in SSC, and ending before the target's SSA does.</summary>
    private bool NeedsExtension(LicenseLot lot, DateOnly ssaEnd) =>
        catalog.TryGetLicenseType(lot.Type, out var type)
        && type.Category is not (LicenseCategory.Warranty or LicenseCategory.Credit)
        && type.SscPerUnitPerYear > 0
        && (lot.SsaEndDate is null || lot.SsaEndDate < ssaEnd);
}
