using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.State;

namespace OrleansLicensing.Grains.Grains;

/// <summary>
/// The upload of one legacy export (R-I1): counts the stored parts and, when the last is in,
/// starts the durable load (<see cref="LegacyLoadProcessGrain"/>) under the same id.
/// </summary>
public sealed class LegacyExportGrain(
    [PersistentState("legacyExport", StorageNames.Licensing)] IPersistentState<LegacyExportState> state) : Grain, ILegacyExportGrain
{
    private string ExportId => this.GetPrimaryKeyString();

    private ILegacyLoadProcessGrain Load => GrainFactory.GetGrain<ILegacyLoadProcessGrain>(ExportId);

    public async Task<LegacyExportStatus> PartStoredAsync(int part, int of)
    {
        if (state.State.Of != 0 && state.State.Of != of)
        {
            throw new LicensingException(ErrorCodes.Conflict, $"This export has {state.State.Of} parts, not {of}.");
        }

        if (!state.State.Received.Contains(part))
        {
            state.State.Of = of;
            state.State.Received = state.State.Received.Add(part);
            await state.WriteStateAsync();
        }

        // Also when the last part arrives again (a retry after a lost answer): the start is idempotent.
        if (state.State.Received.Count == of)
        {
            await Load.StartAsync(new LegacyLoadPlan(ExportId, of));
        }

        return await GetStatusAsync();
    }

    public async Task<LegacyExportStatus> GetStatusAsync() =>
        new(ExportId, state.State.Received.Count, state.State.Of, await Load.GetStatusAsync());
}
