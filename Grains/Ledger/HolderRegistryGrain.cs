using System.Collections.Immutable;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.State;

namespace OrleansLicensing.Grains.Grains;

/// <summary>One shard of the holder index the audit walks; sharded so no single grain is hot.</summary>
public sealed class HolderRegistryGrain(
    [PersistentState("holderRegistry", StorageNames.Licensing)] IPersistentState<HolderRegistryState> registry) : Grain, IHolderRegistryGrain
{
    public static int ShardOf(string kind, string id) => (int)(StableHash(kind + "|" + id) % IHolderRegistryGrain.Shards);

    public async Task RegisterAsync(string kind, string id)
    {
        var entry = kind + "|" + id;
        if (!registry.State.Holders.Contains(entry))
        {
            registry.State.Holders = registry.State.Holders.Add(entry);
            await registry.WriteStateAsync();
        }
    }

    public Task<ImmutableArray<HolderRef>> ListAsync() =>
        Task.FromResult(registry.State.Holders.Select(entry =>
        {
            var separator = entry.IndexOf('|', StringComparison.Ordinal);
            return new HolderRef(entry[..separator], entry[(separator + 1)..]);
        }).ToImmutableArray());

    /// <summary>FNV-1a: stable across processes, unlike string.GetHashCode.</summary>
    private static uint StableHash(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return hash;
    }
}
