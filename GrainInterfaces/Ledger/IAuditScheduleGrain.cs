namespace OrleansLicensing.Contracts;

/// <summary>
/// The cluster's conservation audit job, one activation (key 0): the scheduled audit of every
/// silo's monitor and the vendor's <c>GET /api/v1/vendor/audit</c> start it or join the run in
/// progress, so at most one audit runs in the cluster at a time, and its progress can be read
/// while it runs.
/// </summary>
public interface IAuditScheduleGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// The last complete report when it is younger than most of <paramref name="interval"/>,
    /// else that of the run in progress or of a new one if it ends within 20 s; otherwise (a
    /// long run goes on in the background) the last complete report, null before the first.
    /// </summary>
    Task<AuditReport?> RunScheduledAsync(TimeSpan interval);

    /// <summary>
    /// Starts an audit unless one is running, and waits at most <paramref name="wait"/> for a
    /// report that started after this call: a caller that finds a run in progress joins it, and
    /// once it ended, starts or joins the next one (which all who joined share), so the report
    /// sees what the caller did before asking. The status has no run in progress and that report
    /// as <see cref="AuditStatus.Last"/> when it finished in time, else the progress of the run.
    /// </summary>
    Task<AuditStatus> RunAsync(TimeSpan wait);

    /// <summary>The run in progress, if any, and the last complete report; starts nothing.</summary>
    Task<AuditStatus> GetStatusAsync();
}
