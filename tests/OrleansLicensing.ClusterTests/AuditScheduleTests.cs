using OrleansLicensing.Contracts;

namespace OrleansLicensing.ClusterTests;

/// <summary>
/// The scheduled conservation audit runs once per cluster and interval, whichever silo's monitor
/// asks: every silo used to run its own full pass over the holders.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class AuditScheduleTests(SharedCluster shared)
{
    [Fact]
    public async Task Askers_within_one_interval_share_one_audit_and_a_later_asker_gets_a_new_one()
    {
        var schedule = shared.Grains.GetGrain<IAuditScheduleGrain>(0);
        var interval = TimeSpan.FromMinutes(5);

        // Asked from both silos at once, as their monitors do when their timers line up.
        var first = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => schedule.RunScheduledAsync(interval)));
        Assert.All(first, report => Assert.NotNull(report));
        Assert.Single(first.Select(r => r!.At).Distinct());
        var again = await schedule.RunScheduledAsync(interval);
        Assert.Equal(first[0]!.At, again!.At);

        // Once most of the interval has passed (here: an interval shorter than the report's age), a new pass runs.
        await Task.Delay(50, TestContext.Current.CancellationToken);
        var later = await schedule.RunScheduledAsync(TimeSpan.FromMilliseconds(20));
        Assert.True(later!.At > first[0]!.At, "a stale report was handed out again");
        Assert.True(later.Balanced, "the audit of the shared cluster did not balance");
    }
}
