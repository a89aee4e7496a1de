using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.State;

namespace OrleansLicensing.Grains.Grains;

public sealed class RefreshTokenGrain(
    [PersistentState("refreshToken", StorageNames.Licensing)] IPersistentState<RefreshTokenState> token,
    TimeProvider time) : Grain, IRefreshTokenGrain
{
    public async Task IssueAsync(string email, int generation, DateTimeOffset expires)
    {
        if (token.State.Email is not null)
        {
            // 256 random bits collide never; refuse rather than overwrite all the same.
            throw new LicensingException(ErrorCodes.Conflict, "The refresh token exists.");
        }

        token.State.Email = email;
        token.State.Generation = generation;
        token.State.Expires = expires;
        await token.WriteStateAsync();
    }

    public async Task<RefreshedSession?> RedeemAsync()
    {
        var state = token.State;
        if (state.Email is not { } email)
        {
            DeactivateOnIdle();
            return null;
        }

        var account = GrainFactory.GetGrain<IUserGrain>(email);
        if (state.Used)
        {
            // A used token presented again: whoever holds a copy is not the client that used it.
            await account.RevokeTokensAsync();
            return null;
        }

        if (state.Expires <= time.GetUtcNow())
        {
            return null;
        }

        state.Used = true;
        await token.WriteStateAsync();
        var generation = await account.GetTokenGenerationAsync();
        return generation == state.Generation ? new RefreshedSession(email, generation) : null;
    }
}
