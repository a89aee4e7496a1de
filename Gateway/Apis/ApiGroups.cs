using OrleansLicensing.Gateway.Infrastructure;

namespace OrleansLicensing.Gateway.Apis;

/// <summary>
/// The route groups every API file maps into; each group carries its authentication and, for
/// the company group, the filter that authorizes membership, lock and rights once (R-U1).
/// </summary>
/// <param name="Anonymous">No credentials; rate limited per client address.</param>
/// <param name="User">A user's access token.</param>
/// <param name="Company"><c>/api/v1/companies/{cid}</c>: a member of that company, or an API key of it (see <see cref="CompanyAccess"/>).</param>
/// <param name="Vendor"><c>/api/v1/vendor</c>: the vendor's API key.</param>
/// <param name="Device"><c>/api/v1/device</c>: a device's MAC and secret, checked by the device grain.</param>
public sealed record ApiGroups(
    RouteGroupBuilder Anonymous,
    RouteGroupBuilder User,
    RouteGroupBuilder Company,
    RouteGroupBuilder Vendor,
    RouteGroupBuilder Device)
{
    public const string Prefix = "/api/v1";

    public static ApiGroups Map(IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup(Prefix).WithProblemResponses();
        return new ApiGroups(
            api.MapGroup(string.Empty).RequireRateLimiting(GatewaySetup.AnonymousRateLimit),
            api.MapGroup(string.Empty).RequireAuthorization(BearerAuthenticationHandler.UserPolicy),
            api.MapCompanyGroup(BearerAuthenticationHandler.CompanyPolicy),
            api.MapGroup("/vendor").RequireAuthorization(BearerAuthenticationHandler.VendorPolicy),
            api.MapGroup("/device"));
    }
}
