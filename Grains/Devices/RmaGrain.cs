using System.Globalization;
using OrleansLicensing.Contracts;
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
    TimeProvider time) : Grain, IRmaGrain
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
                var freedProjectId = await FreedProjectAsync(arrived.CompanyId);
                var token = new IdempotencyToken(
                    $"rma-reship:{Mac}:{arrived.RequestedAt.UtcTicks.ToString(CultureInfo.InvariantCulture)}", freedProjectId);
                var released = await GrainFactory.GetGrain<ILedgerGrain>(0).ReshipRmaAsync(arrived.CompanyId, Mac, freedProjectId, token);
                if (released.ProjectId is { } left)
                {
                    await GrainFactory.GetGrain<IProjectGrain>(left).DetachDeviceAsync(Mac);
                }

                rma.State.Current = arrived with
                {
                    Status = RmaStatus.Reshipped,
                    ReshippedAt = time.GetUtcNow(),
                    FreedProjectId = released.Lots.IsEmpty ? null : freedProjectId,
                    FreedLots = released.Lots,
                };
                await rma.WriteStateAsync();
                return rma.State.Current;
            default:
                throw new LicensingException(ErrorCodes.InvalidRmaState, $"{Mac} has not arrived at the vendor under RMA; it cannot be reshipped.");
        }
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
