using System.Collections.Immutable;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.History;
using OrleansLicensing.Grains.State;

namespace OrleansLicensing.Grains.Grains;

/// <summary>The old groups a company claimed with an old login (R-I2), keyed by company id.</summary>
public sealed class LegacyClaimsGrain(
    [PersistentState("legacyClaims", StorageNames.Licensing)] IPersistentState<LegacyClaimsState> state,
    ChangeFeed feed) : Grain, ILegacyClaimsGrain
{
    public async Task ClaimAsync(string groupId, string login)
    {
        if (!state.State.Groups.Contains(groupId))
        {
            state.State.Groups = state.State.Groups.Add(groupId);
            await state.WriteStateAsync();
            await feed.RecordAsync(feed.Event(this.GetPrimaryKeyString(), HistoryActions.LegacyAccountClaimed, details: ChangeFeed.Details(("login", login), ("group", groupId))));
        }
    }

    public Task<bool> HasClaimedAsync(string groupId) => Task.FromResult(state.State.Groups.Contains(groupId));

    public Task<ImmutableArray<string>> ListAsync() => Task.FromResult(state.State.Groups.ToImmutableArray());
}
