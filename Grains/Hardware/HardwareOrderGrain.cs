using System.Collections.Immutable;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.State;

namespace OrleansLicensing.Grains.Grains;

/// <summary>
/// The MACs shipped under one order number. They are kept in a chunked set ("hardware-order/{order}"):
/// an order can be as large as a legacy import (every MAC the vendor never registered is recorded
/// under LEGACY-IMPORT), and adding to it must not rewrite all of it. An order stored when the
/// list was this grain's own state hands it over on first use.
/// </summary>
public sealed class HardwareOrderGrain(
    [PersistentState("hardwareOrder", StorageNames.Licensing)] IPersistentState<HardwareOrderState> order) : Grain, IHardwareOrderGrain
{
    public async Task AddAsync(ImmutableArray<string> macs) => await (await MacsAsync()).AddAsync(macs);

    public async Task<ImmutableArray<string>> ListAsync() => await (await MacsAsync()).ListAsync();

    private async Task<IChunkedSetGrain> MacsAsync()
    {
        var set = GrainFactory.GetGrain<IChunkedSetGrain>($"hardware-order/{this.GetPrimaryKeyString()}");
        if (!order.State.Macs.IsEmpty)
        {
            await set.AddAsync([.. order.State.Macs]);
            order.State.Macs = [];
            await order.WriteStateAsync();
        }

        return set;
    }
}
