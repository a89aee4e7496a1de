using System.Net;
using System.Text.Json.Nodes;

namespace OrleansLicensing.ApiTests;

/// <summary>
/// The conventions of Gateway/Infrastructure/OpenApiConventions.cs, read off /openapi/v1.json:
/// security from endpoint metadata, the device poll's headers, servers and info, and the
/// interactive reference (Scalar).
/// </summary>
public sealed class OpenApiConventionTests(SharedApp shared)
{
    private const string Poll = "/api/v1/device/license";

    /// <summary>SPEC §4: these are anonymous (plus the catalog); everything else needs a bearer.</summary>
    private static readonly HashSet<string> Anonymous = ["post /api/v1/accounts", "post /api/v1/accounts/activate", "post /api/v1/auth/token", "post /api/v1/auth/refresh", "post /api/v1/ssc/quote", "get /healthz"];

    [Fact]
    public async Task Every_operation_has_a_summary_an_operation_id_and_a_security_requirement()
    {
        var missing = new List<string>();
        foreach (var (method, path, operation) in Operations(await DocumentAsync()))
        {
            var lacks = new[] { "summary", "operationId", "security" }.Where(member => operation[member] is null).ToList();
            if (operation["summary"] is JsonValue summary && string.IsNullOrWhiteSpace(summary.GetValue<string>()))
            {
                lacks.Add("summary (empty)");
            }

            if (lacks.Count > 0)
            {
                missing.Add($"{method.ToUpperInvariant()} {path}: no {string.Join(", ", lacks)}");
            }
        }

        Assert.True(missing.Count == 0, $"{missing.Count} operations are incomplete for client authors:\n{string.Join('\n', missing)}");
    }

    [Fact]
    public async Task Security_follows_the_authorization_of_each_endpoint()
    {
        foreach (var (method, path, operation) in Operations(await DocumentAsync()))
        {
            var expected = path is Poll or "/api/v1/device/claim" or "/api/v1/device/invalidation" ? "deviceMac+deviceSecret"
                : path.StartsWith("/api/v1/vendor/", StringComparison.Ordinal) ? "vendorKey"
                : path.StartsWith("/api/v1/catalog/", StringComparison.Ordinal) || Anonymous.Contains($"{method} {path}") ? ""
                : "userToken";
            var security = operation["security"]?.AsArray();
            Assert.True(security is not null, $"{method} {path} has no security member");
            var actual = string.Join(" | ", security.Select(requirement => string.Join('+', requirement!.AsObject().Select(scheme => scheme.Key))));
            Assert.True(expected == actual, $"{method} {path}: security '{actual}', expected '{expected}'");
        }
    }

    [Fact]
    public async Task Security_schemes_describe_the_three_kinds_of_caller()
    {
        var schemes = (await DocumentAsync())["components"]!["securitySchemes"]!;
        foreach (var bearer in new[] { "userToken", "vendorKey" })
        {
            Assert.Equal("http", schemes[bearer]!["type"]!.GetValue<string>());
            Assert.Equal("bearer", schemes[bearer]!["scheme"]!.GetValue<string>());
            Assert.False(string.IsNullOrEmpty(schemes[bearer]!["description"]?.GetValue<string>()));
        }

        foreach (var (scheme, header) in new[] { ("deviceMac", "X-Device-Mac"), ("deviceSecret", "X-Device-Secret") })
        {
            Assert.Equal("apiKey", schemes[scheme]!["type"]!.GetValue<string>());
            Assert.Equal("header", schemes[scheme]!["in"]!.GetValue<string>());
            Assert.Equal(header, schemes[scheme]!["name"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task Device_poll_documents_its_headers_ETag_and_304()
    {
        var poll = (await DocumentAsync())["paths"]![Poll]!["get"]!;
        var headers = poll["parameters"]!.AsArray()
            .Where(p => p!["in"]!.GetValue<string>() == "header")
            .ToDictionary(p => p!["name"]!.GetValue<string>(), p => p!["required"]?.GetValue<bool>() ?? false);
        Assert.Equal(new Dictionary<string, bool> { ["X-Device-Mac"] = true, ["X-Device-Secret"] = true, ["If-None-Match"] = false }, headers);

        foreach (var status in new[] { "200", "304" })
        {
            var etag = poll["responses"]![status]!["headers"]?["ETag"];
            Assert.True(etag is not null, $"the poll's {status} does not document its ETag header");
            Assert.Equal("string", etag["schema"]!["type"]!.GetValue<string>());
        }

        Assert.Null(poll["responses"]!["304"]!["content"]);
    }

    [Fact]
    public async Task Servers_and_info_are_ready_for_client_generators()
    {
        var document = await DocumentAsync();
        foreach (var server in document["servers"]!.AsArray())
        {
            Assert.False(server!["url"]!.GetValue<string>().EndsWith('/'), $"server {server["url"]} ends with '/'");
        }

        Assert.Equal("OrleansLicensing API", document["info"]!["title"]!.GetValue<string>());
        Assert.Contains("X-Device-Secret", document["info"]!["description"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.NotNull(document["info"]!["license"]?["name"]);
        Assert.All(document["tags"]!.AsArray(), tag => Assert.False(string.IsNullOrEmpty(tag!["description"]?.GetValue<string>()), $"tag {tag!["name"]} has no description"));
    }

    [Fact]
    public async Task Api_reference_is_served_by_default()
    {
        var client = shared.App.CreateClient();
        var page = await client.GetAsync(new Uri("/scalar/", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("openapi/v1.json", html, StringComparison.Ordinal);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);

        // The script comes from the node itself, not from a CDN (nor do fonts: DisableDefaultFonts).
        var script = await client.GetAsync(new Uri("/scalar/scalar.js", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
    }

    [Fact]
    public async Task Api_reference_can_be_switched_off()
    {
        await using var app = new LicensingApp("Memory", settings: new Dictionary<string, string> { ["Gateway:ApiReference:Enabled"] = "false" });
        var client = app.CreateClient();
        var page = await client.GetAsync(new Uri("/scalar/", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        var document = await client.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, document.StatusCode);
    }

    private async Task<JsonNode> DocumentAsync()
    {
        var response = await shared.App.CreateClient().GetAsync(new Uri("/openapi/v1.json", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
    }

    private static IEnumerable<(string Method, string Path, JsonNode Operation)> Operations(JsonNode document) =>
        document["paths"]!.AsObject().SelectMany(path => path.Value!.AsObject()
            .Where(item => item.Key is "get" or "put" or "post" or "delete" or "patch" or "head" or "options" or "trace")
            .Select(item => (item.Key, path.Key, item.Value!)));
}
