namespace OrleansLicensing.Grains.History;

/// <summary>Configuration section <c>History</c> (docs/operations.md).</summary>
public sealed class HistoryOptions
{
    public const string Section = "History";

    /// <summary>Events older than this many days are cleared, a chunk at a time, by a daily reminder; 0 keeps them forever.</summary>
    [System.ComponentModel.DataAnnotations.Range(0, 36500)]
    public int RetentionDays { get; set; }

    /// <summary>
    /// How long a change waits for its report (history append, search refresh) before it answers;
    /// a report still running then goes on in the background with its retries.
    /// </summary>
    [System.ComponentModel.DataAnnotations.Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan ReportWait { get; set; } = TimeSpan.FromSeconds(2);
}
