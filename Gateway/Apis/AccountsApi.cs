using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using OrleansLicensing.Contracts;
using OrleansLicensing.Gateway.Infrastructure;

namespace OrleansLicensing.Gateway.Apis;

/// <summary>Accounts, their activation and access tokens (R-F3, R-U5).</summary>
public static class AccountsApi
{
    public static ApiGroups MapAccountsApi(this ApiGroups groups)
    {
        groups.Anonymous.MapPost("/accounts", RegisterAsync).WithTags("Accounts").WithName("RegisterAccount")
            .WithSummary("Register a user account; an activation code is mailed to it")
            .ProducesErrors(ErrorCodes.InvalidEmail, ErrorCodes.AccountExists, ErrorCodes.MailUnavailable);
        groups.Anonymous.MapPost("/accounts/activate", ActivateAsync).WithTags("Accounts").WithName("ActivateAccount")
            .WithSummary("Activate an account, or a new e-mail address of one, with the mailed code")
            .ProducesErrors(ErrorCodes.InvalidEmail, ErrorCodes.ActivationCodeInvalid);
        groups.Anonymous.MapPost("/auth/token", IssueTokenAsync).WithTags("Accounts").WithName("IssueToken")
            .WithSummary("Exchange e-mail and password of an activated account for an access token")
            .ProducesErrors(ErrorCodes.Unauthorized, ErrorCodes.AccountNotActivated, ErrorCodes.RateLimited);
        groups.Anonymous.MapPost("/auth/refresh", RefreshTokenAsync).WithTags("Accounts").WithName("RefreshToken")
            .WithSummary("Exchange a refresh token (used once) for a new access token and refresh token")
            .ProducesErrors(ErrorCodes.Unauthorized);
        groups.User.MapGet("/me", GetMeAsync).WithTags("Accounts").WithName("GetMe")
            .WithSummary("The signed-in user's account and companies");
        groups.User.MapPatch("/me", UpdateMeAsync).WithTags("Accounts").WithName("UpdateMe")
            .WithSummary("Change the signed-in user's account (the current password is required)")
            .ProducesErrors(ErrorCodes.CurrentPasswordWrong, ErrorCodes.InvalidEmail, ErrorCodes.AccountExists, ErrorCodes.MailUnavailable, ErrorCodes.UserNotFound);
        return groups;
    }

    public static async Task<Created<AccountResponse>> RegisterAsync(RegisterAccountRequest request, IdempotencyKey? idempotency, IGrainFactory grains)
    {
        var email = Email.Normalize(request.Email);
        var password = Validate.Password(request.Password);
        var displayName = Validate.Text(request.DisplayName, "displayName", InputLimits.Text.DisplayName);
        var language = Validate.Language(request.Language);
        var user = grains.GetGrain<IUserGrain>(email);
        AccountView account;
        try
        {
            account = await user.RegisterAsync(password, displayName, language);
        }
        catch (LicensingException e) when (e.Code == ErrorCodes.AccountExists && idempotency is not null)
        {
            // A retried registration (same key, same data, right password) gets its first answer.
            var existing = await user.VerifyPasswordAsync(password);
            if (existing is null || existing.DisplayName != displayName || existing.Language != language)
            {
                throw;
            }

            account = existing;
        }

        return TypedResults.Created("/api/v1/me", new AccountResponse(account.Email, account.DisplayName, account.Language));
    }

    public static async Task<Ok<AccountResponse>> ActivateAsync(ActivateAccountRequest request, IGrainFactory grains)
    {
        var email = Email.Normalize(request.Email);
        var code = Codes.NormalizeMailCode(request.Code)
            ?? throw new LicensingException(ErrorCodes.ActivationCodeInvalid, "The code is wrong or has expired.");
        var account = await grains.GetGrain<IUserGrain>(email).ActivateAsync(code);
        return TypedResults.Ok(new AccountResponse(account.Email, account.DisplayName, account.Language));
    }

    public static async Task<Ok<TokenResponse>> IssueTokenAsync(TokenRequest request, HttpContext http, IGrainFactory grains, LoginThrottle throttle, AccessTokens tokens, RefreshTokens refresh)
    {
        if (!Email.TryNormalize(request.Email, out var email) || string.IsNullOrEmpty(request.Password) || request.Password.Length > PasswordRules.MaxLength)
        {
            throw new LicensingException(ErrorCodes.Unauthorized, "The e-mail address or password is wrong.");
        }

        // Back-off per account and per client address; an unknown address is throttled like a known one.
        var attempt = await throttle.BeginAsync(email, http.Connection.RemoteIpAddress);
        var user = grains.GetGrain<IUserGrain>(email);
        var account = await user.VerifyPasswordAsync(request.Password);
        if (account is null)
        {
            await attempt.FailedAsync();
            throw new LicensingException(ErrorCodes.Unauthorized, "The e-mail address or password is wrong.");
        }

        await attempt.SucceededAsync();
        if (!account.Activated)
        {
            // Said only to whoever knows the password: it reveals nothing to anyone else.
            throw new LicensingException(ErrorCodes.AccountNotActivated, "The account is not activated yet; use the code from the activation mail.");
        }

        return TypedResults.Ok(await IssueAsync(account.Email, await user.GetTokenGenerationAsync(), tokens, refresh));
    }

    public static async Task<Ok<TokenResponse>> RefreshTokenAsync(RefreshTokenRequest request, AccessTokens tokens, RefreshTokens refresh)
    {
        var session = await refresh.RedeemAsync(request.RefreshToken ?? string.Empty)
            ?? throw new LicensingException(ErrorCodes.Unauthorized, "The refresh token is invalid, expired, used or revoked; sign in again.");
        return TypedResults.Ok(await IssueAsync(session.Email, session.Generation, tokens, refresh));
    }

    private static async Task<TokenResponse> IssueAsync(string email, int generation, AccessTokens tokens, RefreshTokens refresh) =>
        new(tokens.Issue(email, generation), tokens.LifetimeSeconds, "Bearer", await refresh.IssueAsync(email, generation), refresh.LifetimeSeconds);

    public static async Task<Ok<MeResponse>> GetMeAsync(ClaimsPrincipal user, IGrainFactory grains) =>
        TypedResults.Ok(MeResponse.From(await grains.GetGrain<IUserGrain>(user.Email()).GetAsync()));

    public static async Task<Ok<MeResponse>> UpdateMeAsync(UpdateMeRequest request, ClaimsPrincipal user, IGrainFactory grains, TokenRevocations revocations)
    {
        if (string.IsNullOrEmpty(request.CurrentPassword) || request.CurrentPassword.Length > PasswordRules.MaxLength)
        {
            throw new LicensingException(ErrorCodes.CurrentPasswordWrong, "The current password is wrong; nothing was changed.");
        }

        var changes = new AccountChanges(
            Validate.OptionalText(request.DisplayName, "displayName", InputLimits.Text.DisplayName),
            Validate.OptionalLanguage(request.Language),
            request.MailOptOut,
            request.NewPassword is null ? null : Validate.Password(request.NewPassword),
            request.Email is null ? null : Email.Normalize(request.Email));
        var account = await grains.GetGrain<IUserGrain>(user.Email()).UpdateAsync(request.CurrentPassword, changes);
        if (changes.NewPassword is not null)
        {
            // The new password revoked the account's tokens: refused on this gateway at once.
            revocations.Forget(user.Email());
        }

        return TypedResults.Ok(MeResponse.From(account));
    }
}
