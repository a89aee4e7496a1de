using System.Security.Cryptography;
using System.Text;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Domain;
using OrleansLicensing.Grains.History;
using OrleansLicensing.Grains.Mail;
using OrleansLicensing.Grains.State;

namespace OrleansLicensing.Grains.Grains;

public sealed class UserGrain(
    [PersistentState("user", StorageNames.Licensing)] IPersistentState<UserState> user,
    IMailSender mail,
    TimeProvider time,
    ChangeFeed feed,
    Microsoft.Extensions.Options.IOptions<PasswordHashOptions> hashing) : Grain, IUserGrain
{
    private int Iterations => hashing.Value.PasswordHashIterations;

    /// <summary>How long a mailed code can be used.</summary>
    public static readonly TimeSpan CodeLifetime = TimeSpan.FromDays(7);

    private string Email => this.GetPrimaryKeyString();

    public async Task<AccountView> RegisterAsync(string password, string displayName, string language)
    {
        if (user.State.Registered)
        {
            var resend = user.State.ActivationPending
                && user.State.DisplayName == displayName
                && user.State.Language == language
                && PasswordHasher.Verify(password, user.State.PasswordHash);
            if (!resend)
            {
                throw new LicensingException(ErrorCodes.AccountExists, "An account with this e-mail address exists.");
            }
        }
        else if (user.State.ReservedFor is not null && user.State.CodeExpires > time.GetUtcNow())
        {
            throw new LicensingException(ErrorCodes.AccountExists, "An account with this e-mail address exists.");
        }

        // The mail goes out before anything is stored: when it cannot be sent, nothing happened
        // (503 MailUnavailable) and the client retries; when the write fails after it, the code in
        // that mail is simply unknown and a retry mails a fresh one.
        var code = Codes.NewMailCode();
        await mail.SendAsync(MailTexts.Compose(MailKinds.Activation, Email, language, displayName, code, time.GetUtcNow()));

        var state = user.State;
        if (!state.Registered)
        {
            state.PasswordHash = PasswordHasher.Hash(password, Iterations);
        }

        state.Registered = true;
        state.ActivationPending = true;
        state.DisplayName = displayName;
        state.Language = language;
        state.ReservedFor = null;
        SetCode(code);
        await user.WriteStateAsync();
        await feed.RecordAccountAsync(Email, HistoryActions.AccountRegistered, ChangeFeed.Details(("displayName", displayName), ("language", language)));
        return View();
    }

    public async Task<AccountView> ActivateAsync(string code)
    {
        var state = user.State;
        if (state.Registered && state.MovedFrom is null)
        {
            EnsureCode(code, checkExpiry: state.ActivationPending);
            if (state.ActivationPending)
            {
                state.ActivationPending = false;
                await user.WriteStateAsync();
                await feed.RecordAccountAsync(Email, HistoryActions.AccountActivated);
            }

            return View();
        }

        if (state.Registered)
        {
            // An e-mail change that stopped half way: the same code finishes it.
            EnsureCode(code, checkExpiry: false);
            await FinishMoveAsync();
            return View();
        }

        if (state.ReservedFor is not { } from)
        {
            throw InvalidCode();
        }

        EnsureCode(code, checkExpiry: true);
        AccountTransfer transfer;
        try
        {
            transfer = await GrainFactory.GetGrain<IUserGrain>(from).GetTransferAsync(Email);
        }
        catch (LicensingException e) when (e.Code is ErrorCodes.ActivationCodeInvalid or ErrorCodes.UserNotFound)
        {
            // The account asked for another address since, or is gone: this reservation is void.
            state.ReservedFor = null;
            state.CodeHash = null;
            await user.WriteStateAsync();
            throw;
        }

        // The account exists here first; the old address ends after, so a crash in between
        // leaves two addresses for one account for a moment, never none.
        state.Registered = true;
        state.ActivationPending = false;
        state.PasswordHash = transfer.PasswordHash;
        state.DisplayName = transfer.DisplayName;
        state.Language = transfer.Language;
        state.MailOptOut = transfer.MailOptOut;
        state.CompanyIds = transfer.CompanyIds;
        state.ReservedFor = null;
        state.MovedFrom = from;
        await user.WriteStateAsync();
        await FinishMoveAsync();
        return View();
    }

    public async Task<AccountView?> VerifyPasswordAsync(string password)
    {
        if (!user.State.Registered)
        {
            PasswordHasher.CheckWithoutAccount(password, Iterations);
            return null;
        }

        var check = PasswordHasher.Check(password, user.State.PasswordHash, Iterations);
        if (check == PasswordCheck.Failed)
        {
            return null;
        }

        if (check == PasswordCheck.VerifiedRehashNeeded)
        {
            user.State.PasswordHash = PasswordHasher.Hash(password, Iterations);
            await user.WriteStateAsync();
        }

        return View();
    }

    public Task<int> GetTokenGenerationAsync() => Task.FromResult(user.State.TokenGeneration);

    public async Task RevokeTokensAsync()
    {
        if (user.State.Registered)
        {
            user.State.TokenGeneration++;
            await user.WriteStateAsync();
        }
    }

    public Task<AccountView> GetAsync() => Task.FromResult(EnsureRegistered().View());

    public async Task<AccountView> UpdateAsync(string currentPassword, AccountChanges changes)
    {
        EnsureRegistered();
        if (!PasswordHasher.Verify(currentPassword, user.State.PasswordHash))
        {
            throw new LicensingException(ErrorCodes.CurrentPasswordWrong, "The current password is wrong; nothing was changed.");
        }

        if (changes.Language is not null && Languages.Normalize(changes.Language) is null)
        {
            throw LicensingException.Validation($"'language' must be one of {string.Join(", ", Languages.All)}.");
        }

        if (changes.NewPassword is not null && !PasswordRules.IsAcceptable(changes.NewPassword))
        {
            throw LicensingException.Validation($"'newPassword' must have {PasswordRules.MinLength} to {PasswordRules.MaxLength} characters.");
        }

        var state = user.State;
        var language = changes.Language ?? state.Language;
        var displayName = changes.DisplayName ?? state.DisplayName;

        // The new address is reserved and mailed before this account changes at all, so a
        // refusal (address taken, mail down) leaves every requested change unapplied.
        string? pendingEmail = state.PendingEmail;
        if (changes.NewEmail is { } newEmail && newEmail != Email)
        {
            var code = Codes.NewMailCode();
            await GrainFactory.GetGrain<IUserGrain>(newEmail).ReserveForEmailChangeAsync(Email, HashCode(code), time.GetUtcNow() + CodeLifetime);
            await mail.SendAsync(MailTexts.Compose(MailKinds.EmailChange, newEmail, language, displayName, code, time.GetUtcNow()));
            pendingEmail = newEmail;
        }
        else if (changes.NewEmail == Email)
        {
            pendingEmail = null;
        }

        state.DisplayName = displayName;
        state.Language = language;
        state.MailOptOut = changes.MailOptOut ?? state.MailOptOut;
        state.PendingEmail = pendingEmail;
        if (changes.NewPassword is not null)
        {
            // A new password ends every session opened with the old one.
            state.PasswordHash = PasswordHasher.Hash(changes.NewPassword, Iterations);
            state.TokenGeneration++;
        }

        await user.WriteStateAsync();

        // Which fields changed, never their secret values; in the account's log and, so each
        // company sees its member's changes in the user context, in every company's log.
        var details = ChangeFeed.Details(
            ("displayName", changes.DisplayName),
            ("language", changes.Language),
            ("mailOptOut", changes.MailOptOut?.ToString()),
            ("password", changes.NewPassword is null ? null : "changed"),
            ("pendingEmail", changes.NewEmail is null ? null : pendingEmail));
        await feed.RecordAccountAsync(Email, HistoryActions.AccountChanged, details);
        await feed.RecordAsync([.. state.CompanyIds.Select(companyId => feed.Event(companyId, HistoryActions.AccountChanged, details: details) with { User = Email })]);
        return View();
    }

    public async Task AddCompanyAsync(string companyId)
    {
        EnsureRegistered();
        if (!user.State.CompanyIds.Contains(companyId))
        {
            user.State.CompanyIds = user.State.CompanyIds.Add(companyId);
            await user.WriteStateAsync();
        }
    }

    public async Task RemoveCompanyAsync(string companyId)
    {
        if (user.State.Registered && user.State.CompanyIds.Contains(companyId))
        {
            user.State.CompanyIds = user.State.CompanyIds.Remove(companyId);
            await user.WriteStateAsync();
        }
    }

    public async Task ReserveForEmailChangeAsync(string fromEmail, byte[] codeHash, DateTimeOffset expires)
    {
        var state = user.State;
        var heldByOther = state.ReservedFor is { } holder && holder != fromEmail && state.CodeExpires > time.GetUtcNow();
        if (state.Registered || heldByOther)
        {
            throw new LicensingException(ErrorCodes.AccountExists, "An account with this e-mail address exists.");
        }

        state.ReservedFor = fromEmail;
        state.CodeHash = codeHash;
        state.CodeExpires = expires;
        await user.WriteStateAsync();
    }

    public Task<AccountTransfer> GetTransferAsync(string toEmail)
    {
        EnsureRegistered();
        var state = user.State;
        return state.PendingEmail == toEmail
            ? Task.FromResult(new AccountTransfer(state.PasswordHash, state.DisplayName, state.Language, state.MailOptOut, state.CompanyIds))
            : throw InvalidCode();
    }

    public async Task CompleteEmailChangeAsync(string toEmail)
    {
        if (user.State.Registered && user.State.PendingEmail == toEmail)
        {
            // The address is free again; its companies are moved by the new address.
            user.State = new UserState();
            await user.WriteStateAsync();
        }
    }

    private async Task FinishMoveAsync()
    {
        if (user.State.MovedFrom is not { } from)
        {
            return;
        }

        await GrainFactory.GetGrain<IUserGrain>(from).CompleteEmailChangeAsync(Email);
        await Task.WhenAll(user.State.CompanyIds.Select(id => GrainFactory.GetGrain<ICompanyGrain>(id).ChangeMemberEmailAsync(from, Email)));
        user.State.MovedFrom = null;
        await user.WriteStateAsync();
        await feed.RecordAccountAsync(Email, HistoryActions.AccountChanged, ChangeFeed.Details(("email", Email), ("previousEmail", from)));
    }

    private void SetCode(string code)
    {
        user.State.CodeHash = HashCode(code);
        user.State.CodeExpires = time.GetUtcNow() + CodeLifetime;
    }

    private void EnsureCode(string code, bool checkExpiry)
    {
        var matches = user.State.CodeHash is { } hash
            && Codes.NormalizeMailCode(code) is { } canonical
            && CryptographicOperations.FixedTimeEquals(HashCode(canonical), hash);
        if (!matches || (checkExpiry && user.State.CodeExpires <= time.GetUtcNow()))
        {
            throw InvalidCode();
        }
    }

    private static byte[] HashCode(string code) => SHA256.HashData(Encoding.UTF8.GetBytes(code));

    private static LicensingException InvalidCode() =>
        new(ErrorCodes.ActivationCodeInvalid, "The code is wrong or has expired; register again (or repeat the e-mail change) for a new one.");

    private UserGrain EnsureRegistered() =>
        user.State.Registered ? this : throw new LicensingException(ErrorCodes.UserNotFound, "No account has this e-mail address.");

    private AccountView View() => new(
        Email,
        user.State.DisplayName,
        user.State.Language,
        user.State.CompanyIds,
        user.State.Registered && !user.State.ActivationPending,
        user.State.MailOptOut,
        user.State.PendingEmail);
}
