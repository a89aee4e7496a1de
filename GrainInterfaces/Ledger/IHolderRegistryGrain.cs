using System.Collections.Immutable;

namespace OrleansLicensing.Contracts;

/// <summary>
/// One shard of the index of every unit holder (projects, keys, devices), which the audit walks.
/// Holders register before they first hold units; registering twice is harmless.
/// </summary>
public interface IHolderRegistryGrain : IGrainWithIntegerKey
{
    public const int Shards = 16;

    Task RegisterAsync(string kind, string id);

    /// <summary>Registers several holders of this shard with one storage write (a move over hundreds of devices).</summary>
    Task RegisterAllAsync(ImmutableArray<HolderRef> holders);

    Task<ImmutableArray<HolderRef>> ListAsync();
}
