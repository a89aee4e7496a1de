using Orleans.Concurrency;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Ledger;

namespace OrleansLicensing.Grains.Grains;

/// <summary>
/// Runs the conservation audit (<see cref="ConservationAudit"/>) for a caller that waits for its
/// report, on the caller's silo, and publishes the report to that silo's <see cref="AuditReports"/>.
/// The cluster's audit job (<see cref="AuditScheduleGrain"/>) runs the same audit in the background.
/// </summary>
[StatelessWorker(1)]
public sealed class ConservationAuditGrain(TimeProvider time, AuditReports reports, IMoveWatchClient watches, IClusterMembershipService membership) : Grain, IConservationAuditGrain
{
    public async Task<AuditReport> RunAsync()
    {
        var report = await new ConservationAudit(GrainFactory, time, watches, membership).RunAsync();
        reports.Publish(report);
        return report;
    }
}
