using System.Collections.Immutable;

namespace OrleansLicensing.Contracts;

/// <summary>
/// A bounded run of consecutive events of one history log, keyed <c>{log}/{index}</c>; it holds
/// the events whose sequence number divided by the chunk size is its index. Only the log's head
/// writes it.
/// </summary>
public interface IHistoryChunkGrain : IGrainWithStringKey
{
    /// <summary>Stores events (their sequence numbers assigned); one already held (same id) is skipped.</summary>
    Task AppendAsync(ImmutableArray<HistoryEvent> events);

    /// <summary>
    /// The chunk's events below <paramref name="before"/> matching the filter, newest first, at
    /// most <paramref name="limit"/>; the slice's oldest event is the last one examined.
    /// </summary>
    Task<HistoryChunkSlice> ReadAsync(HistoryFilter filter, long before, int limit);

    /// <summary>The ids and the last sequence number held (null when empty), for a head that reactivates.</summary>
    Task<HistoryChunkSummary> DescribeAsync();

    /// <summary>When the newest event was recorded (null when empty).</summary>
    Task<DateTimeOffset?> GetNewestAtAsync();

    /// <summary>Drops the chunk's events (retention).</summary>
    Task ClearAsync();
}

/// <summary>A chunk's event ids, its last sequence number and the time of its newest event (nulls when empty).</summary>
[GenerateSerializer, Immutable]
public sealed record HistoryChunkSummary(
    [property: Id(0)] ImmutableArray<string> Ids,
    [property: Id(1)] long? LastSeq,
    [property: Id(2)] DateTimeOffset? LastAt);
