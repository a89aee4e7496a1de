using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Domain;
using OrleansLicensing.Grains.State;

namespace OrleansLicensing.Grains.Grains;

public sealed class UserGrain(
    [PersistentState("user", StorageNames.Licensing)] IPersistentState<UserState> user) : Grain, IUserGrain
{
    public async Task<AccountView> RegisterAsync(string password, string displayName, string language)
    {
        if (user.State.Registered)
        {
            throw new LicensingException(ErrorCodes.AccountExists, "An account with this e-mail address exists.");
        }

        user.State.Registered = true;
        user.State.DisplayName = displayName;
        user.State.Language = language;
        user.State.PasswordHash = PasswordHasher.Hash(password);
        await user.WriteStateAsync();
        return View();
    }

    public Task<AccountView?> VerifyPasswordAsync(string password) =>
        Task.FromResult(user.State.Registered && PasswordHasher.Verify(password, user.State.PasswordHash) ? View() : null);

    public Task<AccountView> GetAsync() =>
        user.State.Registered ? Task.FromResult(View()) : throw new LicensingException(ErrorCodes.UserNotFound, "No account has this e-mail address.");

    public async Task AddCompanyAsync(string companyId)
    {
        if (!user.State.Registered)
        {
            throw new LicensingException(ErrorCodes.UserNotFound, "No account has this e-mail address.");
        }

        if (!user.State.CompanyIds.Contains(companyId))
        {
            user.State.CompanyIds = user.State.CompanyIds.Add(companyId);
            await user.WriteStateAsync();
        }
    }

    private AccountView View() => new(this.GetPrimaryKeyString(), user.State.DisplayName, user.State.Language, user.State.CompanyIds);
}
