using System.Collections.Immutable;

namespace OrleansLicensing.Contracts;

/// <summary>The old groups a company claimed (R-I2), keyed by company id.</summary>
public interface ILegacyClaimsGrain : IGrainWithStringKey
{
    /// <summary>Records the claim of <paramref name="groupId"/>, verified with the old <paramref name="login"/> (history: LegacyAccountClaimed, once).</summary>
    Task ClaimAsync(string groupId, string login);

    Task<bool> HasClaimedAsync(string groupId);

    Task<ImmutableArray<string>> ListAsync();
}
