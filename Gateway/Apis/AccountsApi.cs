using Microsoft.AspNetCore.Http.HttpResults;
using OrleansLicensing.Contracts;
using OrleansLicensing.Gateway.Infrastructure;

namespace OrleansLicensing.Gateway.Apis;

/// <summary>Accounts and access tokens (R-F3, R-U5).</summary>
public static class AccountsApi
{
    public static ApiGroups MapAccountsApi(this ApiGroups groups)
    {
        groups.Anonymous.MapPost("/accounts", RegisterAsync).WithTags("Accounts").WithName("RegisterAccount")
            .WithSummary("Register a user account").ProducesErrors(ErrorCodes.InvalidEmail, ErrorCodes.AccountExists);
        groups.Anonymous.MapPost("/auth/token", IssueTokenAsync).WithTags("Accounts").WithName("IssueToken")
            .WithSummary("Exchange e-mail and password for an access token").ProducesErrors(ErrorCodes.Unauthorized);
        groups.User.MapGet("/me", GetMeAsync).WithTags("Accounts").WithName("GetMe")
            .WithSummary("The signed-in user's account and companies");
        return groups;
    }

    public static async Task<Created<AccountResponse>> RegisterAsync(RegisterAccountRequest request, IdempotencyKey? idempotency, IGrainFactory grains)
    {
        var email = Email.Normalize(request.Email);
        var password = Validate.Password(request.Password);
        var displayName = Validate.Text(request.DisplayName, "displayName", 200);
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

    public static async Task<Ok<TokenResponse>> IssueTokenAsync(TokenRequest request, IGrainFactory grains, AccessTokens tokens)
    {
        if (!Email.TryNormalize(request.Email, out var email) || string.IsNullOrEmpty(request.Password) || request.Password.Length > PasswordRules.MaxLength)
        {
            throw new LicensingException(ErrorCodes.Unauthorized, "The e-mail address or password is wrong.");
        }

        var account = await grains.GetGrain<IUserGrain>(email).VerifyPasswordAsync(request.Password)
            ?? throw new LicensingException(ErrorCodes.Unauthorized, "The e-mail address or password is wrong.");
        return TypedResults.Ok(new TokenResponse(tokens.Issue(account.Email), tokens.LifetimeSeconds));
    }

    public static async Task<Ok<MeResponse>> GetMeAsync(System.Security.Claims.ClaimsPrincipal user, IGrainFactory grains)
    {
        var account = await grains.GetGrain<IUserGrain>(user.Email()).GetAsync();
        return TypedResults.Ok(new MeResponse(account.Email, account.DisplayName, account.Language, account.CompanyIds));
    }
}
