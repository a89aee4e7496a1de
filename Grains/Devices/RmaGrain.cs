using System.Globalization;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.History;
using OrleansLicensing.Grains.State;

namespace OrleansLicensing.Grains.Grains;

/// <summary>
/// The RMA of one device (R-D7). Not transactional itself: the request checks the device's
/// committed membership, and the reship's unit move is one ledger transaction under the device's
/// lock (<see cref="IDeviceGrain.ReleaseForReshipAsync"/>), made idempotent per RMA so that a
/// reship retried after a crash frees the licenses once and reports what the first run freed.
/// </summary>
public sealed class RmaGrain(
    [PersistentState("rma", StorageNames.Licensing)] IPersistentState<RmaState> rma,
    Catalog catalog,
    TimeProvider time,
    ChangeFeed feed) : Grain, IRmaGrain
{
    /// <summary>The project a reshipped device's licenses go to (R-D7, named by the seed).</summary>
    public const string FreedProjectName = "Freed_RMA_licenses";

    private string Mac => this.GetPrimaryKeyString();

    public async Task<RmaView> RequestAsync(string companyId, string? reason)
    {
        if (rma.State.Current is { Status: RmaStatus.Requested or RmaStatus.Arrived } open)
        {
            return open.CompanyId == companyId
                ? open
                : throw new LicensingException(ErrorCodes.InvalidRmaState, $"{Mac} is already under RMA.");
        }

        var device = await GrainFactory.GetGrain<IDeviceGrain>(Mac).GetAsync();
        if (device.CompanyId != companyId)
        {
            throw LicensingException.NotFound("The device");
        }

        rma.State.Current = new RmaView(Mac, companyId, device.ProjectId, RmaStatus.Requested, time.GetUtcNow(), reason, null, null, null, []);
        await rma.WriteStateAsync();
        await GrainFactory.GetGrain<ICompanyRmaGrain>(companyId).AddAsync(Mac);
        await feed.RecordAsync(feed.Event(companyId, HistoryActions.RmaRequested, device.ProjectId, Mac, ChangeFeed.Details(("reason", reason))));
        return rma.State.Current;
    }

    public async Task<RmaView> ArrivedAsync()
    {
        switch (rma.State.Current)
        {
            case { Status: RmaStatus.Arrived } arrived:
                return arrived;
            case { Status: RmaStatus.Requested } requested:
                rma.State.Current = requested with { Status = RmaStatus.Arrived, ArrivedAt = time.GetUtcNow() };
                await rma.WriteStateAsync();
                await feed.RecordAsync(feed.Event(requested.CompanyId, HistoryActions.RmaArrived, requested.ProjectId, Mac));
                return rma.State.Current;
            default:
                throw new LicensingException(ErrorCodes.InvalidRmaState, $"No RMA of {Mac} is waiting for its arrival; the company requests RMA first.");
        }
    }

    public async Task<RmaView> ReshipAsync()
    {
        switch (rma.State.Current)
        {
            case { Status: RmaStatus.Reshipped } reshipped:
                return reshipped;
            case { Status: RmaStatus.Arrived } arrived:
                var (released, freedProjectId) = await ReleaseAsync(arrived);
                if (released.ProjectId is { } left)
                {
                    await GrainFactory.GetGrain<IProjectGrain>(left).DetachDeviceAsync(Mac);
                }

                rma.State.Current = arrived with
                {
                    Status = RmaStatus.Reshipped,
                    ReshippedAt = time.GetUtcNow(),
                    FreedProjectId = freedProjectId,
                    FreedLots = released.Lots,
                };
                await rma.WriteStateAsync();
                return rma.State.Current;
            default:
                throw new LicensingException(ErrorCodes.InvalidRmaState, $"{Mac} has not arrived at the vendor under RMA; it cannot be reshipped.");
        }
    }

    /// <summary>
    /// Runs the reship's ledger move. The <c>Freed_RMA_licenses</c> project is made only when the
    /// device holds licenses to free (the seed: the project shows that such a device existed); should
    /// licenses have been bound since the look, the move refuses and the second attempt makes it.
    /// </summary>
    private async Task<(DeviceLotChange Released, string? FreedProjectId)> ReleaseAsync(RmaView arrived)
    {
        var device = await GrainFactory.GetGrain<IDeviceGrain>(Mac).GetAsync();
        var needsPool = device.Lots.Any(lot => !(catalog.TryGetLicenseType(lot.Type, out var type) && type.Category == LicenseCategory.Warranty));
        for (var attempt = 0; ; attempt++)
        {
            var freedProjectId = needsPool || attempt > 0 ? await FreedProjectAsync(arrived.CompanyId) : null;
            var token = new IdempotencyToken(
                $"rma-reship:{Mac}:{arrived.RequestedAt.UtcTicks.ToString(CultureInfo.InvariantCulture)}", freedProjectId ?? "-");
            try
            {
                var released = await GrainFactory.GetGrain<ILedgerGrain>(0).ReshipRmaAsync(arrived.CompanyId, Mac, freedProjectId, token);
                return (released, released.Lots.IsEmpty ? null : freedProjectId);
            }
            catch (LicensingException e) when (e.Code == ErrorCodes.TransientConflict && freedProjectId is null)
            {
                // Licenses were bound after the look: make the project and run again.
            }
        }
    }

    public async Task TransferAsync(string fromCompanyId, string toCompanyId)
    {
        if (rma.State.Current is { } current && current.CompanyId == fromCompanyId)
        {
            rma.State.Current = current with { CompanyId = toCompanyId };
            await rma.WriteStateAsync();
        }

        await GrainFactory.GetGrain<ICompanyRmaGrain>(toCompanyId).AddAsync(Mac);
    }

    public Task<RmaView?> GetAsync() => Task.FromResult(rma.State.Current);

    /// <summary>The company's <c>Freed_RMA_licenses</c> project, created on demand; names compare case-insensitively (R-P1), so an existing one of any case is used.</summary>
    private async Task<string> FreedProjectAsync(string companyId)
    {
        var company = GrainFactory.GetGrain<ICompanyGrain>(companyId);
        for (var attempt = 0; ; attempt++)
        {
            var existing = (await company.ListProjectsAsync()).FirstOrDefault(p => string.Equals(p.Name, FreedProjectName, StringComparison.OrdinalIgnoreCase));
            if (existing is not null)
            {
                return existing.ProjectId;
            }

            try
            {
                return (await company.CreateProjectAsync(FreedProjectName, "Licenses of devices reshipped after RMA (R-D7)")).ProjectId;
            }
            catch (LicensingException e) when (e.Code == ErrorCodes.DuplicateProjectName && attempt == 0)
            {
                // Created concurrently: use that one.
            }
        }
    }
}
