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

/// <summary>Bearer credentials that are not JWTs: the vendor's API key.</summary>
public sealed class BearerAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    GatewaySecrets secrets) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = BearerAuthentication.SchemeName;
    public const string VendorRole = "vendor";
    public const string VendorPolicy = "vendor";
    public const string UserPolicy = "user";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return Task.FromResult(AuthenticateResult.Fail("Only bearer credentials are accepted."));
        }

        var credential = header["Bearer ".Length..].Trim();
        if (!secrets.IsVendorKey(credential))
        {
            return Task.FromResult(AuthenticateResult.Fail("The bearer credential is invalid or expired."));
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Role, VendorRole)], Scheme.Name);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        await Problems.WriteAsync(Context, StatusCodes.Status401Unauthorized, ErrorCodes.Unauthorized, "A valid bearer token is required.");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Problems.WriteAsync(Context, StatusCodes.Status403Forbidden, ErrorCodes.Forbidden, "The caller may not use this operation.").AsTask();
}
