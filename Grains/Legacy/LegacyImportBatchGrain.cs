using System.Collections.Immutable;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.State;

namespace OrleansLicensing.Grains.Grains;

/// <summary>The results of one batch of a legacy import (R-I2).</summary>
public sealed class LegacyImportBatchGrain(
    [PersistentState("legacyImportBatch", StorageNames.Licensing)] IPersistentState<LegacyImportBatchState> state) : Grain, ILegacyImportBatchGrain
{
    public async Task SetAsync(ImmutableArray<LegacyDeviceResult> results)
    {
        state.State.Results = results;
        await state.WriteStateAsync();
    }

    public Task<ImmutableArray<LegacyDeviceResult>> GetAsync() => Task.FromResult(state.State.Results);
}
