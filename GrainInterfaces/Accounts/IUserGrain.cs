namespace OrleansLicensing.Contracts;

/// <summary>A person's account, keyed by canonical (lower-case) e-mail (R-F3).</summary>
public interface IUserGrain : IGrainWithStringKey
{
    /// <summary>Creates the account; <see cref="ErrorCodes.AccountExists"/> when it exists.</summary>
    Task<AccountView> RegisterAsync(string password, string displayName, string language);

    /// <summary>Returns the account when the password matches, otherwise <c>null</c>.</summary>
    Task<AccountView?> VerifyPasswordAsync(string password);

    /// <summary>The account; <see cref="ErrorCodes.NotFound"/> when it was never registered.</summary>
    Task<AccountView> GetAsync();

    /// <summary>Records that the user belongs to a company.</summary>
    Task AddCompanyAsync(string companyId);
}
