using Orleans.Concurrency;

namespace OrleansLicensing.Contracts;

/// <summary>A person's account, keyed by canonical (lower-case) e-mail (R-F3).</summary>
public interface IUserGrain : IGrainWithStringKey
{
    /// <summary>
    /// Creates the account, not yet activated, and mails it an activation code in its language.
    /// A repeat with the same password, name and language while the account waits for
    /// activation mails a fresh code; otherwise <see cref="ErrorCodes.AccountExists"/>.
    /// </summary>
    Task<AccountView> RegisterAsync(string password, string displayName, string language);

    /// <summary>
    /// Activates the account (or, for an address an e-mail change points at, moves the account
    /// here) with the code from the mail; <see cref="ErrorCodes.ActivationCodeInvalid"/> otherwise.
    /// Presenting the same code again after success returns the account.
    /// </summary>
    Task<AccountView> ActivateAsync(string code);

    /// <summary>
    /// Returns the account when the password matches, otherwise <c>null</c>. An unknown address
    /// costs the same work as a wrong password (no enumeration by timing); a stored hash of an
    /// older format or weaker parameters is replaced by a current one on success.
    /// </summary>
    Task<AccountView?> VerifyPasswordAsync(string password);

    /// <summary>
    /// The account's token generation: access and refresh tokens carry the generation they were
    /// issued under and are refused once it moved on (<see cref="RevokeTokensAsync"/>).
    /// </summary>
    [AlwaysInterleave]
    Task<int> GetTokenGenerationAsync();

    /// <summary>Ends every access and refresh token issued so far (password change, lock, removal from a company, refresh-token reuse).</summary>
    Task RevokeTokensAsync();

    /// <summary>The account; <see cref="ErrorCodes.UserNotFound"/> when it was never registered.</summary>
    Task<AccountView> GetAsync();

    /// <summary>
    /// Applies <paramref name="changes"/> when <paramref name="currentPassword"/> is right (R-U5),
    /// else <see cref="ErrorCodes.CurrentPasswordWrong"/>. A new e-mail address is only
    /// reserved and mailed a code; it replaces the current one when activated.
    /// </summary>
    Task<AccountView> UpdateAsync(string currentPassword, AccountChanges changes);

    /// <summary>Records that the user belongs to a company.</summary>
    Task AddCompanyAsync(string companyId);

    /// <summary>Records that the user no longer belongs to a company.</summary>
    Task RemoveCompanyAsync(string companyId);

    /// <summary>
    /// Reserves this (unused) address for the account at <paramref name="fromEmail"/>, which asked
    /// to move here; the code's hash and expiry are kept for <see cref="ActivateAsync"/>.
    /// <see cref="ErrorCodes.AccountExists"/> when the address is taken.
    /// </summary>
    Task ReserveForEmailChangeAsync(string fromEmail, byte[] codeHash, DateTimeOffset expires);

    /// <summary>The account's data for the move to <paramref name="toEmail"/>, which it must have asked for.</summary>
    [AlwaysInterleave]
    Task<AccountTransfer> GetTransferAsync(string toEmail);

    /// <summary>Ends the account at this address after it moved to <paramref name="toEmail"/> (idempotent).</summary>
    Task CompleteEmailChangeAsync(string toEmail);
}
