using System.Collections.Immutable;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.State;

namespace OrleansLicensing.Grains.Grains;

public sealed class HardwareOrderGrain(
    [PersistentState("hardwareOrder", StorageNames.Licensing)] IPersistentState<HardwareOrderState> order) : Grain, IHardwareOrderGrain
{
    public async Task AddAsync(ImmutableArray<string> macs)
    {
        var after = order.State.Macs.Union(macs);
        if (after.Count != order.State.Macs.Count)
        {
            order.State.Macs = after;
            await order.WriteStateAsync();
        }
    }

    public Task<ImmutableArray<string>> ListAsync() => Task.FromResult(order.State.Macs.ToImmutableArray());
}
