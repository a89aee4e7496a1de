namespace OrleansLicensing.Contracts;

/// <summary>
/// The scheduled conservation audit, once per cluster: every silo's monitor asks on its own
/// timer, one audit runs per interval, and every asker gets its report.
/// </summary>
public interface IAuditScheduleGrain : IGrainWithIntegerKey
{
    /// <summary>The last scheduled audit's report when it is younger than most of <paramref name="interval"/>, else a new audit's.</summary>
    Task<AuditReport> RunScheduledAsync(TimeSpan interval);
}
