using System.Collections.Immutable;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.State;

namespace OrleansLicensing.Grains.Grains;

/// <summary>One shard of the holder index the audit walks; sharded so no single grain is hot.</summary>
public sealed class HolderRegistryGrain(
    [PersistentState("holderRegistry", StorageNames.Licensing)] IPersistentState<HolderRegistryState> registry) : Grain, IHolderRegistryGrain
{
    public static int ShardOf(string kind, string id) => (int)(StableHash(kind + "|" + id) % IHolderRegistryGrain.Shards);

    public Task RegisterAsync(string kind, string id) => RegisterAllAsync([new HolderRef(kind, id)]);

    public async Task RegisterAllAsync(ImmutableArray<HolderRef> holders)
    {
        var after = registry.State.Holders.Union(holders.Select(h => h.Kind + "|" + h.Id));
        if (after.Count != registry.State.Holders.Count)
        {
            registry.State.Holders = after;
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
