using OrleansLicensing.Contracts;

namespace OrleansLicensing.Grains.Ledger;

/// <summary>Reading what any holder holds, whatever its kind (the audit's read, the ledger's refusal check).</summary>
public static class HolderReads
{
    /// <summary>The holder's units, read in a transaction of its own or in the caller's.</summary>
    public static Task<Holding> GetHoldingAsync(this IGrainFactory grains, HolderRef holder) => holder.Kind switch
    {
        HolderKinds.Project => grains.GetGrain<IProjectGrain>(holder.Id).GetHoldingAsync(),
        HolderKinds.Key => grains.GetGrain<IActivationKeyGrain>(holder.Id).GetHoldingAsync(),
        HolderKinds.Device => grains.GetGrain<IDeviceGrain>(holder.Id).GetHoldingAsync(),
        _ => throw new InvalidOperationException($"Unknown holder kind '{holder.Kind}'."),
    };
}
