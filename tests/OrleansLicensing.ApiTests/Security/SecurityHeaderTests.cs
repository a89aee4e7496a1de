using System.Net;
using System.Text;

namespace OrleansLicensing.ApiTests.Security;

/// <summary>Issue 13: security headers on answers and errors; no stack trace or internal name in a Production error; JSON depth limit.</summary>
public sealed class SecurityHeaderTests(SharedApp shared) : IClassFixture<SharedApp>
{
    private readonly Api _api = new(shared.App.CreateClient());

    [Fact]
    public async Task Headers_successes_and_errors_carry_the_security_headers_and_credential_answers_are_not_cached()
    {
        var email = Api.NewEmail();
        await _api.RegisterAndLoginAsync(email);
        var token = await _api.SendAsync(HttpMethod.Post, "/api/v1/auth/token", new { email, password = Api.Password });
        var error = await _api.SendAsync(HttpMethod.Get, "/api/v1/me", null, "not a token");
        var missing = await _api.SendAsync(HttpMethod.Get, "/api/v1/no-such-route", null);
        foreach (var response in new[] { token, error, missing })
        {
            Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
            Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
            Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
            Assert.Equal("default-src 'none'; frame-ancestors 'none'", Assert.Single(response.Headers.GetValues("Content-Security-Policy")));
        }

        Assert.True(token.Headers.CacheControl?.NoStore);
    }

    [Fact]
    public async Task Input_JSON_nested_deeper_than_the_limit_is_400_and_never_a_stack_trace()
    {
        var token = await _api.RegisterAndLoginAsync();
        var deep = new StringBuilder("{\"name\":\"x\",\"extra\":");
        for (var i = 0; i < 40; i++)
        {
            deep.Append("{\"a\":");
        }

        deep.Append('1').Append('}', 41);
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/companies") { Content = new StringContent(deep.ToString(), Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new("Bearer", token);
        var response = await _api.Http.SendAsync(request, TestContext.Current.CancellationToken);
        var body = await Api.AssertProblem(response, HttpStatusCode.BadRequest, "ValidationFailed");
        var text = body.ToJsonString();
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", text, StringComparison.Ordinal);
        Assert.DoesNotContain("OrleansLicensing.", text, StringComparison.Ordinal);
    }
}
