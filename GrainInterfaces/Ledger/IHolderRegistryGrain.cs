using System.Collections.Immutable;

namespace OrleansLicensing.Contracts;

/// <summary>
/// One shard of the index of every unit holder (projects, keys, devices), which the audit walks.
/// Holders register before they first hold units; registering twice is harmless. A shard keeps
/// its entries in sealed chunks of <see cref="ChunkCapacity"/> written once and one open chunk,
/// so registering writes at most one chunk, never the whole shard (decision D103).
/// </summary>
public interface IHolderRegistryGrain : IGrainWithIntegerKey
{
    /// <summary>Shards of the registry. Until D103 there were <see cref="FirstLayoutShards"/>; their entries stay where they were.</summary>
    public const int Shards = 256;

    /// <summary>The shard count of the first layout: an entry registered then sits in shard <c>hash % 16</c>.</summary>
    public const int FirstLayoutShards = 16;

    /// <summary>Entries per sealed chunk.</summary>
    public const int ChunkCapacity = 512;

    Task RegisterAsync(string kind, string id);

    /// <summary>Registers holders of this shard together: one write for all that are new.</summary>
    Task RegisterManyAsync(ImmutableArray<HolderRef> holders);

    Task<ImmutableArray<HolderRef>> ListAsync();

    /// <summary>
    /// Entries of this shard from its state alone (sealed chunks times their capacity plus the
    /// open chunk), without reading the chunks: what the audit's progress counts as known.
    /// </summary>
    Task<int> CountAsync();
}

/// <summary>A sealed chunk of a registry shard (<c>{shard}/{index}</c>): written once, read when the shard activates.</summary>
public interface IHolderRegistryChunkGrain : IGrainWithStringKey
{
    Task WriteAsync(ImmutableArray<string> entries);

    Task<ImmutableArray<string>> ReadAsync();
}
