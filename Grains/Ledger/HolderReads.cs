using OrleansLicensing.Contracts;

namespace OrleansLicensing.Grains.Ledger;

/// <summary>The grain of any holder, whatever its kind (the audit's read, the ledger's refusal check).</summary>
public static class HolderReads
{
    public static IHolderGrain Holder(this IGrainFactory grains, HolderRef holder) => holder.Kind switch
    {
        HolderKinds.Project => grains.GetGrain<IProjectGrain>(holder.Id),
        HolderKinds.Key => grains.GetGrain<IActivationKeyGrain>(holder.Id),
        HolderKinds.Device => grains.GetGrain<IDeviceGrain>(holder.Id),
        _ => throw new InvalidOperationException($"Unknown holder kind '{holder.Kind}'."),
    };
}
