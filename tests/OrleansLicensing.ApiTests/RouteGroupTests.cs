using System.Net;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using OrleansLicensing.Gateway.Infrastructure;

namespace OrleansLicensing.ApiTests;

/// <summary>
/// Every company route is authorized by the company group's filter (R-U1): enumerated from the
/// app's endpoints, so a route mapped around the group fails here.
/// </summary>
public sealed class RouteGroupTests(SharedApp shared)
{
    private const string CompanyPrefix = "/api/v1/companies/{cid}";

    [Fact]
    public void Every_company_route_is_in_the_company_group()
    {
        var endpoints = Endpoints();
        Assert.True(endpoints.Count(IsCompanyRoute) >= 15, "the company routes were not found");
        Assert.Empty(OutsideTheCompanyGroup(endpoints));
    }

    [Fact]
    public void The_check_catches_a_company_route_mapped_around_the_group()
    {
        var rogue = new RouteEndpoint(_ => Task.CompletedTask, RoutePatternFactory.Parse(CompanyPrefix + "/rogue"), 0, new EndpointMetadataCollection(new AuthorizeAttribute()), "rogue");
        Assert.Equal(["rogue"], OutsideTheCompanyGroup([.. Endpoints(), rogue]));
    }

    [Fact]
    public void Every_API_route_outside_the_anonymous_group_requires_a_credential()
    {
        var open = Endpoints()
            .Where(e => e.RoutePattern.RawText!.StartsWith("/api/v1/", StringComparison.Ordinal))
            .Where(e => e.Metadata.GetMetadata<IAuthorizeData>() is null)
            .Where(e => e.Metadata.GetMetadata<Microsoft.AspNetCore.RateLimiting.EnableRateLimitingAttribute>() is null)
            .Select(e => e.RoutePattern.RawText)
            .ToArray();

        // The device poll authenticates inside the device grain by the device's own secret, a
        // device's claim (R-D2) in the claim grain by the same secret, a device's own invalidation
        // (R-V5) in the gateway against the hardware registration's secret hash.
        Assert.Equal(["/api/v1/device/claim", "/api/v1/device/invalidation", "/api/v1/device/license"], open.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_user_of_another_company_gets_404_on_every_company_route_and_never_data()
    {
        var api = new Api(shared.App.CreateClient());
        var ownerEmail = Api.NewEmail();
        var owner = await api.RegisterAndLoginAsync(ownerEmail);
        var (companyId, projectId) = await api.CreateCompanyAsync(owner);
        var outsider = await api.RegisterAndLoginAsync();
        await api.CreateCompanyAsync(outsider, "Outsider Ltd");

        foreach (var endpoint in Endpoints().Where(IsCompanyRoute))
        {
            var path = endpoint.RoutePattern.RawText!
                .Replace("{cid}", companyId, StringComparison.Ordinal)
                .Replace("{pid}", projectId, StringComparison.Ordinal)
                .Replace("{mac}", "00-90-33-00-00-01", StringComparison.Ordinal)
                .Replace("{key}", "ABCDE-FGHJK-MNPQR-STVWX-YZ012", StringComparison.Ordinal)

                // A member route names a real member, so its 404 cannot come from an unknown member.
                .Replace("{email}", ownerEmail.ToLowerInvariant(), StringComparison.Ordinal);
            foreach (var method in endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods)
            {
                var body = method is "POST" or "PATCH" or "PUT" ? new { } : null;
                var response = await api.SendAsync(new HttpMethod(method), path, body, outsider);
                var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

                // A body that does not bind is refused before the filter runs; it reveals nothing.
                Assert.True(
                    response.StatusCode == HttpStatusCode.NotFound || (response.StatusCode == HttpStatusCode.BadRequest && text.Contains("ValidationFailed", StringComparison.Ordinal)),
                    $"{method} {path}: {(int)response.StatusCode} {text}");
                Assert.DoesNotContain(projectId, text, StringComparison.Ordinal);
                Assert.DoesNotContain(ownerEmail.ToLowerInvariant(), text, StringComparison.Ordinal);
            }
        }
    }

    private static bool IsCompanyRoute(RouteEndpoint endpoint) =>
        endpoint.RoutePattern.RawText!.StartsWith(CompanyPrefix, StringComparison.Ordinal);

    private static string[] OutsideTheCompanyGroup(IEnumerable<RouteEndpoint> endpoints) =>
        [.. endpoints.Where(IsCompanyRoute).Where(e => e.Metadata.GetMetadata<CompanyScopeMetadata>() is null).Select(e => e.DisplayName ?? e.RoutePattern.RawText!)];

    private List<RouteEndpoint> Endpoints() =>
        [.. shared.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()];
}
