using System.Collections.Immutable;

namespace OrleansLicensing.Grains.State;

/// <summary>
/// The ranges of a chunked set: chunk <c>Chunks[i]</c> covers the keys from <c>Lower[i]</c> up to,
/// not including, <c>Lower[i + 1]</c> (the last one has no end). A set that never split has one
/// chunk, number 0, from the empty string on; that state is never written.
/// </summary>
[GenerateSerializer]
public sealed class ChunkedSetState
{
    [Id(0)] public ImmutableArray<string> Lower { get; set; } = [string.Empty];

    [Id(1)] public ImmutableArray<int> Chunks { get; set; } = [0];

    /// <summary>The number the next new chunk gets; a split that stopped before writing this state reuses it, overwriting the orphan.</summary>
    [Id(2)] public int NextChunk { get; set; } = 1;
}

[GenerateSerializer]
public sealed class ChunkedSetChunkState
{
    [Id(0)] public ImmutableSortedSet<string> Members { get; set; } = ImmutableSortedSet.Create<string>(StringComparer.Ordinal);
}
