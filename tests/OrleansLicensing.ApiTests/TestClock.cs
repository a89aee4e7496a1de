namespace OrleansLicensing.ApiTests;

/// <summary>
/// A clock a test sets (R-S1, R-S5 need "today" to be a chosen day). From the moment it is set
/// it runs on with real time, so durations (token lifetimes, timeouts) behave; timestamps are
/// real. Registered as the node's <see cref="TimeProvider"/>, shared by the silo and the gateway.
/// </summary>
public sealed class TestClock : TimeProvider
{
    private readonly Lock _lock = new();
    private DateTimeOffset _setTo = DateTimeOffset.UtcNow;
    private long _setAt = System.GetTimestamp();

    /// <summary>Sets the clock to noon (UTC) of <paramref name="day"/>, so one test step stays within that day.</summary>
    public void SetDay(DateOnly day) => Set(new DateTimeOffset(day.ToDateTime(new TimeOnly(12, 0)), TimeSpan.Zero));

    public void Set(DateTimeOffset now)
    {
        lock (_lock)
        {
            (_setTo, _setAt) = (now, System.GetTimestamp());
        }
    }

    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock)
        {
            return _setTo + System.GetElapsedTime(_setAt);
        }
    }
}
