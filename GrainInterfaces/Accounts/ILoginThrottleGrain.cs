namespace OrleansLicensing.Contracts;

/// <summary>
/// Failed sign-ins of one account (<c>account:{email}</c>) or one client address
/// (<c>address:{ip}</c>) and the exponential back-off they earn. Kept in memory: an idle
/// throttle forgets, which only ever shortens a back-off that already ran out.
/// </summary>
public interface ILoginThrottleGrain : IGrainWithStringKey
{
    /// <summary>How long a sign-in must still wait (zero: go ahead).</summary>
    Task<TimeSpan> RetryAfterAsync(LoginBackoff policy);

    /// <summary>Counts a failure; returns the wait it earned.</summary>
    Task<TimeSpan> FailAsync(LoginBackoff policy);

    /// <summary>A successful sign-in clears the failures.</summary>
    Task ResetAsync();
}

/// <summary>
/// Back-off after failed sign-ins: <see cref="FreeFailures"/> cost nothing, each further one
/// doubles the wait from <see cref="BaseDelay"/> up to <see cref="MaxDelay"/>.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record LoginBackoff(
    [property: Id(0)] int FreeFailures,
    [property: Id(1)] TimeSpan BaseDelay,
    [property: Id(2)] TimeSpan MaxDelay)
{
    /// <summary>The wait after <paramref name="failures"/> consecutive failures.</summary>
    public TimeSpan DelayAfter(int failures)
    {
        var over = failures - FreeFailures;
        if (over <= 0)
        {
            return TimeSpan.Zero;
        }

        // 2^(over-1) base delays, without overflow for long runs of failures.
        var doublings = Math.Min(over - 1, 30);
        var ticks = BaseDelay.Ticks * (1L << doublings);
        return ticks <= 0 || ticks > MaxDelay.Ticks ? MaxDelay : TimeSpan.FromTicks(ticks);
    }
}
