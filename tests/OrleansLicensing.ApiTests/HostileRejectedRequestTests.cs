using System.Text;

namespace OrleansLicensing.ApiTests;

/// <summary>
/// Requests Kestrel refuses before the app runs still get a problem+json body with a code and a
/// trace id (decision: Kestrel's refusal is replaced at the connection, see RejectedRequestAnswers),
/// sent over raw sockets to a real Kestrel listener.
/// </summary>
public sealed class HostileRejectedRequestTests : IAsyncLifetime
{
    private KestrelNode _node = null!;

    public ValueTask InitializeAsync()
    {
        _node = KestrelNode.Start();
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync() => await _node.DisposeAsync();

    public static TheoryData<string, int, string> Refused => new()
    {
        { "GET /api/v1/companies/" + new string('a', 10_000) + " HTTP/1.1\r\nHost: x\r\n\r\n", 414, "UriTooLong" },
        { "GET /api/v1/companies/%00/projects HTTP/1.1\r\nHost: x\r\n\r\n", 400, "ValidationFailed" },
        { "GET /api/v1/me%00 HTTP/1.1\r\nHost: x\r\n\r\n", 400, "ValidationFailed" },
        { "GET /api/v1/me HTTP/1.1\r\nHost: x\r\nX-Device-Mac: 00\0aa\r\n\r\n", 400, "ValidationFailed" },
        { "GET /api/v1/device/license HTTP/1.1\r\nHost: x\r\nX-Device-Mac: \u00e9\u00ff\r\n\r\n", 400, "ValidationFailed" },
        { "POST /api/v1/vendor/hardware HTTP/1.1\r\nHost: x\r\nIdempotency-Key: " + new string('k', 40_000) + "\r\n\r\n", 431, "HeadersTooLarge" },
        { "GET /api/v1/me HTTP/1.1\r\nHost: x\r\n" + string.Concat(Enumerable.Range(0, 150).Select(i => $"X-H{i}: v\r\n")) + "\r\n", 431, "HeadersTooLarge" },
        { "GET /api/v1/me HTTP/1.1\r\n\r\n", 400, "ValidationFailed" },
        { "GET /api/v1/me HTTP/7.0\r\nHost: x\r\n\r\n", 400, "ValidationFailed" },
        { "BROKEN\r\n\r\n", 400, "ValidationFailed" },
        { "POST /api/v1/accounts HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\n", 400, "ValidationFailed" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task Refusals_before_routing_are_problem_json_with_a_code(string request, int status, string code)
    {
        var bytes = await _node.SendRawAsync(Encoding.Latin1.GetBytes(request), TestContext.Current.CancellationToken);
        var response = Assert.Single(RawResponse.ParseAll(bytes));

        Assert.Equal(status, response.Status);
        Assert.Null(ProblemBodies.Check(response.Status, response.Headers.GetValueOrDefault("Content-Type"), response.Body));
        Assert.Equal(code, response.Json?["code"]?.GetValue<string>());
        Assert.Equal(response.Headers["X-Trace-Id"], response.Json?["traceId"]?.GetValue<string>());
        Assert.Equal("close", response.Headers["Connection"]);
    }

    [Fact]
    public async Task A_refusal_after_a_good_request_on_the_same_connection_is_answered_too()
    {
        var bytes = await _node.SendRawAsync(
            Encoding.ASCII.GetBytes("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /api/v1/%00 HTTP/1.1\r\nHost: x\r\n\r\n"),
            TestContext.Current.CancellationToken);
        var responses = RawResponse.ParseAll(bytes);

        Assert.Equal(2, responses.Count);
        Assert.Equal(200, responses[0].Status);
        Assert.Equal("alive", responses[0].Json?["status"]?.GetValue<string>());
        Assert.Equal(400, responses[1].Status);
        Assert.Null(ProblemBodies.Check(responses[1].Status, responses[1].Headers.GetValueOrDefault("Content-Type"), responses[1].Body));
    }

    [Fact]
    public async Task Answers_of_the_app_pass_the_connection_untouched()
    {
        // A body Kestrel refuses while the app reads it: the app answers, and its answer passes.
        var bytes = await _node.SendRawAsync(
            Encoding.ASCII.GetBytes("POST /api/v1/accounts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"),
            TestContext.Current.CancellationToken);
        var response = Assert.Single(RawResponse.ParseAll(bytes));
        Assert.Equal(400, response.Status);
        Assert.Null(ProblemBodies.Check(response.Status, response.Headers.GetValueOrDefault("Content-Type"), response.Body));
        Assert.False(string.IsNullOrEmpty(response.Json?["detail"]?.GetValue<string>()));

        // Keep-alive traffic with ordinary errors is not rewritten either.
        bytes = await _node.SendRawAsync(
            Encoding.ASCII.GetBytes("GET /api/v1/nothing HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
            TestContext.Current.CancellationToken);
        var responses = RawResponse.ParseAll(bytes);
        Assert.Equal([404, 200], responses.Select(r => r.Status));
        Assert.Equal("NotFound", responses[0].Json?["code"]?.GetValue<string>());
    }

    [Fact]
    public async Task A_refused_head_request_gets_the_problem_head_without_a_body()
    {
        var bytes = await _node.SendRawAsync(
            Encoding.ASCII.GetBytes("HEAD /api/v1/me HTTP/1.1\r\nHost: x\r\nX-Bad: a\0b\r\n\r\n"),
            TestContext.Current.CancellationToken);
        var text = Encoding.ASCII.GetString(bytes);
        Assert.StartsWith("HTTP/1.1 400 ", text, StringComparison.Ordinal);
        Assert.Contains("Content-Type: application/problem+json", text, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\n", text, StringComparison.Ordinal);
    }
}
