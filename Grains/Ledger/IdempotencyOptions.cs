namespace OrleansLicensing.Grains.Ledger;

/// <summary>Configuration section <c>Idempotency</c> (docs/operations.md, decision D104).</summary>
public sealed class IdempotencyOptions
{
    public const string Section = "Idempotency";

    /// <summary>
    /// How long a request's Idempotency-Key answers with its first outcome. Inside it a retry never
    /// repeats the effect; after it the key is free again and the record is deleted by the sweep.
    /// </summary>
    [System.ComponentModel.DataAnnotations.Range(1, 3650)]
    public int RetentionDays { get; set; } = 7;

    /// <summary>How often each silo deletes the records older than the retention (plus a day).</summary>
    [System.ComponentModel.DataAnnotations.Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromHours(1);
}
