using System.Collections.Immutable;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.State;

namespace OrleansLicensing.Grains.Grains;

public sealed class HardwareOrderGrain(
    [PersistentState("hardwareOrder", StorageNames.Licensing)] IPersistentState<HardwareOrderState> order) : Grain, IHardwareOrderGrain
{
    public async Task AddAsync(string mac)
    {
        if (!order.State.Macs.Contains(mac))
        {
            order.State.Macs = order.State.Macs.Add(mac);
            await order.WriteStateAsync();
        }
    }

    public Task<ImmutableArray<string>> ListAsync() => Task.FromResult(order.State.Macs.ToImmutableArray());
}
