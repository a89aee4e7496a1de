using System.Collections.Immutable;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.State;

namespace OrleansLicensing.Grains.Grains;

/// <summary>
/// One shard of the holder index the audit walks; sharded so no single grain is hot, chunked so
/// registering writes one chunk of at most <see cref="IHolderRegistryGrain.ChunkCapacity"/>
/// entries. The shard's state is its open chunk and the number of sealed chunks; the sealed ones
/// are read into memory on the first registration or listing (duplicates are recognised from
/// that set), not for a count, which the state alone answers.
/// </summary>
public sealed class HolderRegistryGrain(
    [PersistentState("holderRegistry", StorageNames.Licensing)] IPersistentState<HolderRegistryState> registry) : Grain, IHolderRegistryGrain
{
    private readonly HashSet<string> _all = new(StringComparer.Ordinal);
    private bool _loaded;

    public static int ShardOf(string kind, string id) => (int)(StableHash(kind + "|" + id) % IHolderRegistryGrain.Shards);

    public Task RegisterAsync(string kind, string id) => RegisterManyAsync([new HolderRef(kind, id)]);

    public async Task RegisterManyAsync(ImmutableArray<HolderRef> holders)
    {
        await LoadAsync();
        var fresh = holders.Select(h => h.Kind + "|" + h.Id).Where(entry => !_all.Contains(entry)).Distinct(StringComparer.Ordinal).ToList();
        if (fresh.Count == 0)
        {
            return;
        }

        registry.State.Holders = registry.State.Holders.Union(fresh);

        // A full open chunk is sealed first (its own grain, written once; rewriting it after a
        // failed attempt writes the same entries), then the shard records it. An open chunk of
        // the first layout, which held the whole shard, is sealed in pieces the same way.
        while (registry.State.Holders.Count >= IHolderRegistryGrain.ChunkCapacity)
        {
            var piece = registry.State.Holders.Take(IHolderRegistryGrain.ChunkCapacity).ToImmutableArray();
            await Chunk(registry.State.SealedChunks).WriteAsync(piece);
            registry.State.SealedChunks++;
            registry.State.Holders = registry.State.Holders.Except(piece);
        }

        await registry.WriteStateAsync();
        foreach (var entry in fresh)
        {
            _all.Add(entry);
        }
    }

    public async Task<ImmutableArray<HolderRef>> ListAsync()
    {
        await LoadAsync();
        return [.. _all.Order(StringComparer.Ordinal).Select(entry =>
        {
            var separator = entry.IndexOf('|', StringComparison.Ordinal);
            return new HolderRef(entry[..separator], entry[(separator + 1)..]);
        })];
    }

    public Task<int> CountAsync() =>
        Task.FromResult((registry.State.SealedChunks * IHolderRegistryGrain.ChunkCapacity) + registry.State.Holders.Count);

    /// <summary>Reads the sealed chunks once per activation (the grain is not reentrant, so no second load overlaps the first).</summary>
    private async Task LoadAsync()
    {
        if (_loaded)
        {
            return;
        }

        var sealedChunks = await Task.WhenAll(Enumerable.Range(0, registry.State.SealedChunks).Select(index => Chunk(index).ReadAsync()));
        foreach (var entry in sealedChunks.SelectMany(chunk => chunk).Concat(registry.State.Holders))
        {
            _all.Add(entry);
        }

        _loaded = true;
    }

    private IHolderRegistryChunkGrain Chunk(int index) =>
        GrainFactory.GetGrain<IHolderRegistryChunkGrain>($"{this.GetPrimaryKeyLong()}/{index}");

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

/// <summary>A sealed chunk of a registry shard.</summary>
public sealed class HolderRegistryChunkGrain(
    [PersistentState("holderRegistryChunk", StorageNames.Licensing)] IPersistentState<HolderRegistryChunkState> chunk) : Grain, IHolderRegistryChunkGrain
{
    public async Task WriteAsync(ImmutableArray<string> entries)
    {
        if (chunk.State.Entries.SequenceEqual(entries))
        {
            return;
        }

        chunk.State.Entries = [.. entries];
        await chunk.WriteStateAsync();
    }

    public Task<ImmutableArray<string>> ReadAsync() => Task.FromResult(chunk.State.Entries.ToImmutableArray());
}
