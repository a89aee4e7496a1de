using System.Diagnostics;
using Orleans.Concurrency;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Ledger;

namespace OrleansLicensing.Grains.Grains;

/// <summary>
/// The cluster's audit job (key 0): runs <see cref="ConservationAudit"/> in the background on
/// the silo holding this activation, one run at a time. Every silo's monitor asks it on its own
/// timer and the vendor API asks it too; a caller that comes while a run is in progress joins
/// that run instead of starting another (a caller waiting for a report then joins the next run,
/// which all such callers share), and anyone may read its progress meanwhile (the grain is
/// reentrant; the job's own turns and the callers' interleave on its scheduler).
/// </summary>
/// <remarks>
/// The run lives only in this activation: if its silo dies, the run is lost and the next caller
/// starts a new one on the silo where the grain activates again (the last complete report is
/// kept per silo in <see cref="AuditReports"/> for the gauges, not here).
/// </remarks>
[Reentrant]
public sealed class AuditScheduleGrain(TimeProvider time, AuditReports reports, IMoveWatchClient watches, IClusterMembershipService membership) : Grain, IAuditScheduleGrain
{
    /// <summary>A report younger than this share of the interval is handed out again (monitors' timers drift apart a little).</summary>
    private const double FreshShare = 0.9;

    /// <summary>How long a monitor's call waits for a run: below the 30 s grain response timeout; a longer run goes on without it.</summary>
    private static readonly TimeSpan ScheduledWait = TimeSpan.FromSeconds(20);

    /// <summary>Keeps the activation while a run is in progress; a run longer than this keeps extending it.</summary>
    private static readonly TimeSpan KeepAlive = TimeSpan.FromHours(1);

    private AuditReport? _last;
    private Task<AuditReport>? _running;
    private AuditProgress? _progress;

    public async Task<AuditReport?> RunScheduledAsync(TimeSpan interval)
    {
        if (_last is { } last && time.GetUtcNow() - last.At < interval * FreshShare)
        {
            return last;
        }

        var running = StartOrJoin();
        return await EndsWithinAsync(running, ScheduledWait) ? await running : _last;
    }

    public async Task<AuditStatus> RunAsync(TimeSpan wait)
    {
        var clock = Stopwatch.StartNew();
        var running = StartOrJoin(out var started);
        if (!started)
        {
            // Joined a run that began before this call: its report may miss what the caller has
            // just done, so the answer is the next run, which every caller that joined shares.
            if (!await EndsWithinAsync(running, wait - clock.Elapsed))
            {
                return Status();
            }

            running = StartOrJoin(out _);
        }

        // The caller's run ended in time: its report (or its failure) is the answer.
        return await EndsWithinAsync(running, wait - clock.Elapsed) ? new AuditStatus(null, await running) : Status();
    }

    public Task<AuditStatus> GetStatusAsync() => Task.FromResult(Status());

    private AuditStatus Status() => new(_running is null ? null : _progress, _last);

    private static async Task<bool> EndsWithinAsync(Task run, TimeSpan wait)
    {
        if (!run.IsCompleted && wait > TimeSpan.Zero)
        {
            await Task.WhenAny(run, Task.Delay(wait));
        }

        return run.IsCompleted;
    }

    private Task<AuditReport> StartOrJoin() => StartOrJoin(out _);

    private Task<AuditReport> StartOrJoin(out bool started)
    {
        started = _running is null;
        if (_running is { } running)
        {
            return running;
        }

        running = RunJobAsync();
        if (!running.IsCompleted)
        {
            _running = running;
        }

        return running;
    }

    private async Task<AuditReport> RunJobAsync()
    {
        _progress = new AuditProgress(time.GetUtcNow(), 1, 0, 0);
        DelayDeactivation(KeepAlive);
        try
        {
            var report = await new ConservationAudit(GrainFactory, time, watches, membership).RunAsync(progress =>
            {
                DelayDeactivation(KeepAlive);
                _progress = progress;
            });
            reports.Publish(report);
            _last = report;
            return report;
        }
        finally
        {
            _running = null;
            _progress = null;
        }
    }
}
