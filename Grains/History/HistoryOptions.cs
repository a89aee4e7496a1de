namespace OrleansLicensing.Grains.History;

/// <summary>Configuration section <c>History</c> (docs/operations.md).</summary>
public sealed class HistoryOptions
{
    public const string Section = "History";

    /// <summary>Events older than this many days are cleared, a chunk at a time, by a daily reminder; 0 keeps them forever.</summary>
    [System.ComponentModel.DataAnnotations.Range(0, 36500)]
    public int RetentionDays { get; set; }
}
