using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.History;

namespace OrleansLicensing.Grains.Ledger;

/// <summary>
/// Reship after RMA (R-D7): the device's lots but warranty extensions go to the free pool of the
/// original company's <c>Freed_RMA_licenses</c> project, and the device leaves the company — both
/// under the device's one write lock, in one transaction with the pool's credit.
/// </summary>
/// <remarks>
/// Without <c>freedProjectId</c> (the device held nothing to free when the caller looked) a device
/// found holding licenses refuses the move with <see cref="ErrorCodes.TransientConflict"/>, so the
/// caller makes the project and runs it again.
/// </remarks>
public sealed class ReshipRmaMove(string companyId, string mac, string? freedProjectId) : LedgerMove<DeviceLotChange>
{
    public override string Kind => "rma-reship";

    public override IReadOnlyList<HolderRef> Holders { get; } = freedProjectId is null ? [DeviceHolder(mac)] : [DeviceHolder(mac), ProjectHolder(freedProjectId)];

    public override async Task<DeviceLotChange> ExecuteAsync(LedgerContext context)
    {
        if (freedProjectId is not null)
        {
            await context.EnsureOwnProjectAsync(companyId, freedProjectId, "Freed RMA licenses go only to a project of the company that requested the RMA");
        }

        var released = await context.Device(mac).ReleaseForReshipAsync(companyId);
        if (!released.Lots.IsEmpty)
        {
            var pool = freedProjectId ?? throw new LicensingException(ErrorCodes.TransientConflict, $"{mac} holds licenses again; the reship makes the Freed_RMA_licenses project and runs again.");
            await context.Project(pool).AddToFreePoolAsync(released.Lots);
        }

        return released;
    }

    /// <summary>The reship in the project the device left and, when licenses were freed, their arrival in the pool of <c>Freed_RMA_licenses</c>.</summary>
    public override IEnumerable<HistoryNote> History(DeviceLotChange result)
    {
        var licenses = result.Lots.IsEmpty ? null : ChangeFeed.Describe(UnitsOf(result.Lots));
        yield return new(companyId, HistoryActions.RmaReshipped, result.ProjectId, mac, ChangeFeed.Details(("licenses", licenses), ("freedProjectId", licenses is null ? null : freedProjectId)));
        if (licenses is not null)
        {
            yield return new(companyId, HistoryActions.LicensesReturnedToFreePool, freedProjectId, mac, ChangeFeed.Details(("licenses", licenses), ("reason", "RMA reship")));
        }
    }

    public override IReadOnlyDictionary<string, int> UnitsMoved(DeviceLotChange result) => UnitsOf(result.Lots);
}
