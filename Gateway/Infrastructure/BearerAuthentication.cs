using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using OrleansLicensing.Contracts;

namespace OrleansLicensing.Gateway.Infrastructure;

/// <summary>
/// One bearer scheme for both kinds of caller: the vendor (its API key) and users (access
/// tokens). Challenges and refusals answer problem+json like every other error.
/// </summary>
public sealed class BearerAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    GatewaySecrets secrets,
    AccessTokens tokens) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";
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
        ClaimsIdentity identity;
        if (secrets.IsVendorKey(credential))
        {
            identity = new ClaimsIdentity([new Claim(ClaimTypes.Role, VendorRole)], SchemeName);
        }
        else if (tokens.Validate(credential) is { } email)
        {
            identity = new ClaimsIdentity([new Claim(ClaimTypes.Email, email)], SchemeName);
        }
        else
        {
            return Task.FromResult(AuthenticateResult.Fail("The bearer credential is invalid or expired."));
        }

        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        await Problems.WriteAsync(Context, StatusCodes.Status401Unauthorized, ErrorCodes.Unauthorized, "A valid bearer token is required.");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Problems.WriteAsync(Context, StatusCodes.Status403Forbidden, ErrorCodes.Forbidden, "The caller may not use this operation.").AsTask();
}
