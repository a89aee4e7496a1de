using System.Collections.Immutable;

namespace OrleansLicensing.Contracts;

/// <summary>
/// The head of one company's history log (R-Q2), keyed by the company id (an account's own log
/// by <c>account:{email}</c>). The events live in <see cref="IHistoryChunkGrain"/>s of bounded
/// size, appended in order; the head knows the sequence, the first retained chunk and the logs
/// it absorbed (a company join), and merges them on reads, newest first.
/// </summary>
public interface IHistoryLogGrain : IGrainWithStringKey
{
    /// <summary>Appends events in order; an event whose id the log recently took is skipped (a retried recording).</summary>
    Task AppendAsync(ImmutableArray<HistoryEvent> events);

    /// <summary>
    /// One page of this log and every log it absorbed, newest first. <paramref name="cursor"/> is
    /// the previous page's <see cref="HistoryPage.NextCursor"/> (ValidationFailed when it is not one).
    /// </summary>
    Task<HistoryPage> ReadAsync(HistoryFilter filter, string? cursor, int limit);

    /// <summary>This log alone: events with a sequence number below <paramref name="before"/>, newest first.</summary>
    Task<HistorySlice> ReadOwnAsync(HistoryFilter filter, long before, int limit);

    /// <summary>
    /// Makes another log part of this one (company join, R-U3: B joined into A keeps B's history
    /// readable from A): reads of this log merge it from now on; recorded as an event. Idempotent.
    /// </summary>
    Task AbsorbAsync(string otherLogId);

    /// <summary>The logs this one absorbed, directly.</summary>
    Task<ImmutableArray<string>> ListAbsorbedAsync();

    /// <summary>Clears the chunks whose newest event is older than <paramref name="cutoff"/>; returns how many.</summary>
    Task<int> PruneAsync(DateTimeOffset cutoff);
}
