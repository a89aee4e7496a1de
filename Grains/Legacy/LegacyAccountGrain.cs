using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Domain;
using OrleansLicensing.Grains.State;

namespace OrleansLicensing.Grains.Grains;

/// <summary>An old license manager account (R-I1), keyed by its login in lower case; it only verifies its password.</summary>
public sealed class LegacyAccountGrain(
    [PersistentState("legacyAccount", StorageNames.Licensing)] IPersistentState<LegacyAccountState> state) : Grain, ILegacyAccountGrain
{
    public async Task LoadAsync(LegacyAccount account)
    {
        if (state.State.Account != account)
        {
            state.State.Account = account;
            await state.WriteStateAsync();
        }
    }

    public Task<string?> VerifyAsync(string password) =>
        Task.FromResult(state.State.Account is { } account && LegacyPasswords.Verify(password, account.Password) ? account.GroupId : null);

    public Task<string?> GetGroupAsync() => Task.FromResult(state.State.Account?.GroupId);
}
