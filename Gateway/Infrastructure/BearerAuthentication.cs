using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using OrleansLicensing.Contracts;

namespace OrleansLicensing.Gateway.Infrastructure;

/// <summary>
/// Authentication of the API: the scheme <c>Bearer</c> forwards a JWT (a user's access token) to
/// the ASP.NET Core JWT bearer handler and any other bearer credential (the vendor key, a company
/// API key) to <see cref="BearerAuthenticationHandler"/>. Challenges and refusals answer
/// problem+json like every other error.
/// </summary>
public static class BearerAuthentication
{
    public const string SchemeName = "Bearer";
    public const string JwtScheme = "Jwt";
    public const string CredentialScheme = "Credential";

    public static void AddLicensingAuthentication(this IServiceCollection services)
    {
        services.AddSingleton<TokenSigningKeys>();
        services.AddSingleton<AccessTokens>();
        services.AddSingleton<RefreshTokens>();
        services.AddSingleton<TokenRevocations>();
        services.AddSingleton<LoginThrottle>();
        services.AddSingleton<ApiKeys>();
        services.AddAuthentication(SchemeName)
            .AddPolicyScheme(SchemeName, "JWT or API key", options => options.ForwardDefaultSelector = context =>
                LooksLikeJwt(context.Request.Headers.Authorization.ToString()) ? JwtScheme : CredentialScheme)
            .AddScheme<AuthenticationSchemeOptions, BearerAuthenticationHandler>(CredentialScheme, null)
            .AddJwtBearer(JwtScheme, options =>
            {
                options.MapInboundClaims = false;
                options.Events = new JwtBearerEvents
                {
                    OnTokenValidated = CheckNotRevokedAsync,
                    OnChallenge = async context =>
                    {
                        context.HandleResponse();
                        context.Response.Headers.WWWAuthenticate = "Bearer";
                        await Problems.WriteAsync(context.HttpContext, StatusCodes.Status401Unauthorized, ErrorCodes.Unauthorized, "A valid bearer token is required.");
                    },
                    OnForbidden = context => Problems.WriteAsync(context.HttpContext, StatusCodes.Status403Forbidden, ErrorCodes.Forbidden, "The caller may not use this operation.").AsTask(),
                };
            });
        services.AddOptions<JwtBearerOptions>(JwtScheme).Configure<AccessTokens>((options, tokens) => options.TokenValidationParameters = tokens.ValidationParameters());
    }

    /// <summary>A compact JWS: three base64url parts, the header starting <c>{"</c>.</summary>
    private static bool LooksLikeJwt(string header) =>
        header.StartsWith("Bearer eyJ", StringComparison.OrdinalIgnoreCase) && header.AsSpan().Count('.') == 2;

    /// <summary>A token of an older generation was revoked (password change, lock, removal, refresh reuse).</summary>
    private static async Task CheckNotRevokedAsync(TokenValidatedContext context)
    {
        var principal = context.Principal!;
        var email = principal.FindFirstValue(JwtRegisteredClaimNames.Sub);
        var generation = TokenRevocations.GenerationOf(principal);
        var revocations = context.HttpContext.RequestServices.GetRequiredService<TokenRevocations>();
        if (email is null || generation is null || !await revocations.IsCurrentAsync(email, generation.Value))
        {
            context.Fail("The access token was revoked.");
            return;
        }

        ((ClaimsIdentity)principal.Identity!).AddClaim(new Claim(ClaimTypes.Email, email));
    }
}

/// <summary>Bearer credentials that are not JWTs: the vendor's API key and company API keys.</summary>
public sealed class BearerAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    GatewaySecrets secrets,
    ApiKeys apiKeys) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = BearerAuthentication.SchemeName;
    public const string VendorRole = "vendor";
    public const string VendorPolicy = "vendor";
    public const string UserPolicy = "user";

    /// <summary>A user or a company API key: the company route group (which checks the company and the right).</summary>
    public const string CompanyPolicy = "company";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header))
        {
            return AuthenticateResult.NoResult();
        }

        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.Fail("Only bearer credentials are accepted.");
        }

        var credential = header["Bearer ".Length..].Trim();
        ClaimsIdentity identity;
        if (ApiKeys.LooksLikeApiKey(credential))
        {
            if (await apiKeys.AuthenticateAsync(credential) is not { } key)
            {
                return AuthenticateResult.Fail("The bearer credential is invalid or revoked.");
            }

            identity = new ClaimsIdentity(
                [new Claim(ApiKeys.KeyIdClaim, key.Key.KeyId), new Claim(ApiKeys.CompanyClaim, key.CompanyId), .. key.Key.Rights.Select(r => new Claim(ApiKeys.RightClaim, r))],
                Scheme.Name);
        }
        else if (secrets.IsVendorKey(credential))
        {
            identity = new ClaimsIdentity([new Claim(ClaimTypes.Role, VendorRole)], Scheme.Name);
        }
        else
        {
            return AuthenticateResult.Fail("The bearer credential is invalid or expired.");
        }

        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        await Problems.WriteAsync(Context, StatusCodes.Status401Unauthorized, ErrorCodes.Unauthorized, "A valid bearer token is required.");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Problems.WriteAsync(Context, StatusCodes.Status403Forbidden, ErrorCodes.Forbidden, "The caller may not use this operation.").AsTask();
}
