using System.Net;

namespace OrleansLicensing.ApiTests.Security;

/// <summary>Issue 13: rate limits per principal and route class, configured low here; 429 problem+json with Retry-After and RateLimit headers.</summary>
public sealed class RateLimitTests
{
    [Fact]
    public async Task RateLimits_token_endpoint_mutations_searches_and_polls_each_answer_429_with_Retry_After()
    {
        await using var app = new LicensingApp("Memory", settings: new Dictionary<string, string>
        {
            ["Gateway:RateLimits:TokenPermitsPerMinute"] = "4",
            ["Gateway:RateLimits:MutationPermitsPerMinute"] = "3",
            ["Gateway:RateLimits:SearchPermitsPerMinute"] = "2",
            ["Gateway:RateLimits:DevicePollsPerMinute"] = "2",
        });
        var api = new Api(app.CreateClient());
        var emailA = Api.NewEmail();
        var a = await api.RegisterAndLoginAsync(emailA);
        var b = await api.RegisterAndLoginAsync();

        // Token endpoint, per client address: two sign-ins above, two more, then 429.
        await api.LoginAsync(emailA);
        await api.LoginAsync(emailA);
        await AssertLimitedAsync(await api.SendAsync(HttpMethod.Post, "/api/v1/auth/token", new { email = emailA, password = Api.Password }), "token", 4);

        // Mutations, per principal: A's fourth is refused, B is not affected.
        var (companyId, _) = await api.CreateCompanyAsync(a, "One");
        await api.CreateCompanyAsync(a, "Two");
        await api.CreateCompanyAsync(a, "Three");
        await AssertLimitedAsync(await api.SendAsync(HttpMethod.Post, "/api/v1/companies", new { name = "Four" }, a), "mutation", 3);
        await api.CreateCompanyAsync(b, "B's");

        // Reads are not counted as mutations; searches have their own budget.
        Assert.Equal(HttpStatusCode.OK, (await api.SendAsync(HttpMethod.Get, "/api/v1/me", null, a)).StatusCode);
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{companyId}/history", null, a)).StatusCode);
        }

        await AssertLimitedAsync(await api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{companyId}/history", null, a), "search", 2);

        // Device polls, per device: the third poll of one device is refused before its grain is asked; another device polls on.
        var (mac, secret) = await api.RegisterHardwareAsync(Api.NewMacSuffix());
        var (otherMac, otherSecret) = await api.RegisterHardwareAsync(Api.NewMacSuffix());
        for (var i = 0; i < 2; i++)
        {
            Assert.NotEqual(HttpStatusCode.TooManyRequests, (await api.PollAsync(mac, secret)).StatusCode);
        }

        await AssertLimitedAsync(await api.PollAsync(mac, secret), "device-poll", 2);
        await AssertLimitedAsync(await api.PollAsync(mac, "a wrong secret"), "device-poll", 2);
        Assert.NotEqual(HttpStatusCode.TooManyRequests, (await api.PollAsync(otherMac, otherSecret)).StatusCode);
    }

    private static async Task AssertLimitedAsync(HttpResponseMessage response, string name, int permits)
    {
        await Api.AssertProblem(response, HttpStatusCode.TooManyRequests, "RateLimited");
        var retryAfter = int.Parse(Assert.Single(response.Headers.GetValues("Retry-After")), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 60);
        Assert.Equal($"\"{name}\";q={permits};w=60", Assert.Single(response.Headers.GetValues("RateLimit-Policy")));
        Assert.Equal($"\"{name}\";r=0;t={retryAfter}", Assert.Single(response.Headers.GetValues("RateLimit")));
    }
}
