namespace OrleansLicensing.Grains;

/// <summary>
/// The clock whose date the licensing rules read ("today" of R-S1's confirmable quote, the bind
/// date of new lots, the SSA expiry mails of R-S5): a keyed <see cref="TimeProvider"/>, by default
/// the node's own. It is kept apart from the unkeyed <see cref="TimeProvider"/> because Orleans
/// schedules activation collection, timers and reminders with that one: moving it would move
/// the runtime, while tests need to move only the business date.
/// </summary>
public static class LicensingClock
{
    public const string Key = "licensing-clock";
}
