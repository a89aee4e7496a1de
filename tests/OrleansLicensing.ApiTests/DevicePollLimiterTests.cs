using OrleansLicensing.Gateway.Apis;

namespace OrleansLicensing.ApiTests;

/// <summary>The per-device poll limit (Gateway:RateLimits:DevicePollsPerMinute) on its own, on a clock the test moves.</summary>
public sealed class DevicePollLimiterTests
{
    [Fact]
    public void A_device_gets_its_permits_per_minute_window_and_other_devices_are_not_affected()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 11, 24, 9, 0, 10, TimeSpan.Zero));
        using var limiter = new DevicePollLimiter(3, clock);

        Assert.All(Enumerable.Range(0, 3), _ => Assert.True(limiter.TryAcquire("00-90-33-00-00-01")));
        Assert.False(limiter.TryAcquire("00-90-33-00-00-01"));
        Assert.True(limiter.TryAcquire("00-90-33-00-00-02"));

        // Still the same minute: still refused. The next minute: a fresh window.
        clock.Now = clock.Now.AddSeconds(49);
        Assert.False(limiter.TryAcquire("00-90-33-00-00-01"));
        clock.Now = clock.Now.AddSeconds(1);
        Assert.True(limiter.TryAcquire("00-90-33-00-00-01"));
        Assert.Equal(2, limiter.Tracked);
    }

    [Fact]
    public void Devices_that_stopped_polling_are_forgotten_by_the_sweep()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 11, 24, 9, 0, 0, TimeSpan.Zero));
        using var limiter = new DevicePollLimiter(1, clock);
        limiter.TryAcquire("00-90-33-00-00-01");
        limiter.TryAcquire("00-90-33-00-00-02");

        // One minute on, the second device polls again; the first one's window is kept one minute more.
        clock.Now = clock.Now.AddMinutes(1);
        Assert.True(limiter.TryAcquire("00-90-33-00-00-02"));
        limiter.Sweep();
        Assert.Equal(2, limiter.Tracked);

        clock.Now = clock.Now.AddMinutes(1);
        limiter.Sweep();
        Assert.Equal(1, limiter.Tracked);
        Assert.True(limiter.TryAcquire("00-90-33-00-00-02"));
        Assert.False(limiter.TryAcquire("00-90-33-00-00-02"));
    }

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
