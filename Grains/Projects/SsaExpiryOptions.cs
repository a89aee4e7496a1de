namespace OrleansLicensing.Grains.Grains;

/// <summary>How the SSA expiry mails are driven (R-S5); bound from <c>Mail:SsaExpiryCheckPeriod</c>.</summary>
public sealed class SsaExpiryOptions
{
    /// <summary>The first mail goes this long before a project's SSA end (seven weeks), then one a week until the end.</summary>
    public const int FirstMailDaysBeforeEnd = 49;

    /// <summary>
    /// How often a project under SSA wakes (a persisted Orleans reminder) to compare today with
    /// its end date. At most one mail per user and week slot is sent, so a shorter period only
    /// makes the mail come sooner after its day begins.
    /// </summary>
    public TimeSpan CheckPeriod { get; set; } = TimeSpan.FromHours(6);
}
