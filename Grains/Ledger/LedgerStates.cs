using System.Collections.Immutable;
using OrleansLicensing.Contracts;

namespace OrleansLicensing.Grains.State;

/// <summary>Minted and consumed units per type (R-C2); changed only inside transactions.</summary>
[GenerateSerializer]
public sealed class MintLedgerState
{
    [Id(0)] public ImmutableSortedDictionary<string, long> Minted { get; set; } = ImmutableSortedDictionary.Create<string, long>(StringComparer.Ordinal);
    [Id(1)] public ImmutableSortedDictionary<string, long> Consumed { get; set; } = ImmutableSortedDictionary.Create<string, long>(StringComparer.Ordinal);

    /// <summary>
    /// <see cref="Minted"/> split by source (R-C2: keys, imports, purchases on credit). Mints
    /// recorded before the split was kept appear in <see cref="Minted"/> only.
    /// </summary>
    [Id(2)] public ImmutableSortedDictionary<string, ImmutableSortedDictionary<string, long>> MintedBySource { get; set; } =
        ImmutableSortedDictionary.Create<string, ImmutableSortedDictionary<string, long>>(StringComparer.Ordinal);
}

[GenerateSerializer]
public sealed class HolderRegistryState
{
    /// <summary>
    /// The open chunk: entries "kind|id" not yet sealed (in the first layout, before D103, every
    /// entry of the shard; sealed in pieces at the next registration).
    /// </summary>
    [Id(0)] public ImmutableSortedSet<string> Holders { get; set; } = ImmutableSortedSet.Create<string>(StringComparer.Ordinal);

    /// <summary>Sealed chunks <c>{shard}/0</c> … <c>{shard}/{SealedChunks - 1}</c>.</summary>
    [Id(1)] public int SealedChunks { get; set; }
}

[GenerateSerializer]
public sealed class HolderRegistryChunkState
{
    [Id(0)] public List<string> Entries { get; set; } = [];
}

/// <summary>The first outcome of an idempotent request; changed only inside transactions.</summary>
[GenerateSerializer]
public sealed class IdempotencyState
{
    [Id(0)] public string? Fingerprint { get; set; }
    [Id(1)] public object? Result { get; set; }

    /// <summary>When the outcome was recorded (the business clock); records from before D104 have none and answer until the sweep deletes them.</summary>
    [Id(2)] public DateTimeOffset? CompletedAt { get; set; }
}
