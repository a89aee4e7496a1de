using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using OrleansLicensing.Contracts;
using OrleansLicensing.Gateway.Infrastructure;
using OrleansLicensing.Grains.Domain;

namespace OrleansLicensing.Gateway.Apis;

public static class AccountsApi
{
    public static IEndpointRouteBuilder MapAccountsApi(this IEndpointRouteBuilder routes)
    {
        var anonymous = routes.MapGroup("/api/v1").WithTags("Accounts").RequireRateLimiting(GatewaySetup.AnonymousRateLimit);
        anonymous.MapPost("/accounts", RegisterAsync).WithName("RegisterAccount").WithProblems(400, 409, 413, 415, 429);
        anonymous.MapPost("/auth/token", IssueTokenAsync).WithName("IssueToken").WithProblems(400, 401, 413, 415, 429);

        routes.MapGet("/api/v1/me", GetMeAsync).WithTags("Accounts").WithName("GetMe")
            .RequireAuthorization(BearerAuthenticationHandler.UserPolicy).WithProblems(401, 404);
        return routes;
    }

    public static async Task<Created<AccountResponse>> RegisterAsync(RegisterAccountRequest request, HttpContext context, IGrainFactory grains)
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
        catch (LicensingException e) when (e.Code == ErrorCodes.AccountExists && context.Request.Headers.ContainsKey(Idempotency.Header))
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
        if (!Email.TryNormalize(request.Email, out var email) || string.IsNullOrEmpty(request.Password) || request.Password.Length > PasswordHasher.MaxLength)
        {
            throw new LicensingException(ErrorCodes.Unauthorized, "The e-mail address or password is wrong.");
        }

        var account = await grains.GetGrain<IUserGrain>(email).VerifyPasswordAsync(request.Password)
            ?? throw new LicensingException(ErrorCodes.Unauthorized, "The e-mail address or password is wrong.");
        return TypedResults.Ok(new TokenResponse(tokens.Issue(account.Email), tokens.LifetimeSeconds));
    }

    public static async Task<Ok<MeResponse>> GetMeAsync(ClaimsPrincipal user, IGrainFactory grains)
    {
        var account = await grains.GetGrain<IUserGrain>(user.Email()).GetAsync();
        return TypedResults.Ok(new MeResponse(account.Email, account.DisplayName, account.Language, account.CompanyIds));
    }
}
