using OrleansLicensing.Contracts;

namespace OrleansLicensing.Grains.State;

[GenerateSerializer]
public sealed class HistoryLogState
{
    /// <summary>The chunk being filled; written before its first event is, so a reactivated head finds the sequence there.</summary>
    [Id(0)] public long CurrentChunk { get; set; }

    /// <summary>The oldest chunk still held (retention clears the ones before it).</summary>
    [Id(1)] public long FirstChunk { get; set; }

    /// <summary>Logs merged into this one's reads (company join), in the order absorbed.</summary>
    [Id(2)] public List<string> Absorbed { get; set; } = [];

    [Id(3)] public bool PruneScheduled { get; set; }
}

[GenerateSerializer]
public sealed class HistoryChunkState
{
    /// <summary>The chunk's events in sequence order.</summary>
    [Id(0)] public List<HistoryEvent> Events { get; set; } = [];
}
