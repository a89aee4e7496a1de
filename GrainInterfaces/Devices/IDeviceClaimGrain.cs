namespace OrleansLicensing.Contracts;

/// <summary>
/// R-D2, the second proof of possession: a claim the device itself makes through the device API
/// (its MAC and secret), naming the company that may then add it without the secret. Keyed by
/// canonical MAC. A claim lasts <see cref="Lifetime"/>, names one company (a new claim replaces
/// it) and is used up by the add it allowed.
/// </summary>
public interface IDeviceClaimGrain : IGrainWithStringKey
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(7);

    /// <summary>Records the claim when <paramref name="deviceSecret"/> is the device's; Unauthorized otherwise. Returns when it expires.</summary>
    Task<DateTimeOffset> ClaimAsync(string deviceSecret, string companyId);

    /// <summary>Whether an unexpired claim names <paramref name="companyId"/>.</summary>
    Task<bool> IsClaimedByAsync(string companyId);

    /// <summary>Uses up the claim of <paramref name="companyId"/>, if it is the current one.</summary>
    Task ConsumeAsync(string companyId);
}
