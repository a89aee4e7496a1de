using System.Collections.Immutable;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.State;

namespace OrleansLicensing.Grains.Grains;

/// <summary>
/// An old device (R-I1, R-I2), keyed by canonical MAC: its licenses as exported and the groups of
/// their users, in persistent state. Whether it was imported is the transactional mark of its MAC
/// block (<see cref="ILegacyImportMarkGrain"/>), which the import sets in the transaction that
/// mints the licenses.
/// </summary>
public sealed class LegacyDeviceGrain(
    [PersistentState("legacyDevice", StorageNames.Licensing)] IPersistentState<LegacyDeviceState> state) : Grain, ILegacyDeviceGrain
{
    public async Task LoadAsync(LegacyDevice device, ImmutableArray<string> groups)
    {
        if (state.State.Device != device || !state.State.Groups.SequenceEqual(groups))
        {
            (state.State.Device, state.State.Groups) = (device, groups);
            await state.WriteStateAsync();
        }
    }

    public async Task<LegacyDeviceView?> GetAsync()
    {
        if (state.State.Device is not { } device)
        {
            return null;
        }

        var mac = this.GetPrimaryKeyString();
        var marks = await GrainFactory.GetGrain<ILegacyImportMarkGrain>(LegacyImportMarks.BlockOf(mac)).GetAsync([mac]);
        return new LegacyDeviceView(device, state.State.Groups, marks.GetValueOrDefault(mac));
    }

    public Task<LegacyExportedDevice?> GetExportedAsync() =>
        Task.FromResult(state.State.Device is { } device ? new LegacyExportedDevice(device, state.State.Groups) : null);
}
