using OrleansLicensing.Contracts;

namespace OrleansLicensing.Grains.Grains;

/// <summary>
/// One activation in the cluster (key 0) in front of the conservation audit: the silos' monitors
/// tick at different moments, and without it each of N silos ran its own full pass over every
/// holder per interval. Calls queue here (the grain is not reentrant), so an audit in progress is
/// joined, not repeated.
/// </summary>
public sealed class AuditScheduleGrain(TimeProvider time) : Grain, IAuditScheduleGrain
{
    /// <summary>A report younger than this share of the interval is handed out again (monitors' timers drift apart a little).</summary>
    private const double FreshShare = 0.9;

    private AuditReport? _last;

    public async Task<AuditReport> RunScheduledAsync(TimeSpan interval)
    {
        if (_last is { } last && time.GetUtcNow() - last.At < interval * FreshShare)
        {
            return last;
        }

        _last = await GrainFactory.GetGrain<IConservationAuditGrain>(0).RunAsync();
        return _last;
    }
}
