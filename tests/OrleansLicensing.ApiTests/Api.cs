using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OrleansLicensing.ApiTests;

/// <summary>A thin HTTP client for the skeleton flow, speaking the SPEC §4.1 payloads as JSON.</summary>
public sealed class Api(HttpClient http)
{
    public HttpClient Http { get; } = http;

    public static string NewEmail() => $"user-{Guid.NewGuid():N}@Example.com";

    /// <summary>A vendor MAC nobody else in this test run uses.</summary>
    public static string NewMacSuffix() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));

    public const string Password = "correct horse battery";

    /// <summary>Registers, activates with the code from the outbox (R-U5) and signs in.</summary>
    public async Task<string> RegisterAndLoginAsync(string? email = null)
    {
        email ??= NewEmail();
        var created = await SendAsync(HttpMethod.Post, "/api/v1/accounts", new { email, password = Password, displayName = "Test User", language = "en" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        await ActivateAsync(email);
        return await LoginAsync(email);
    }

    public async Task<string> LoginAsync(string email, string password = Password)
    {
        var token = await SendAsync(HttpMethod.Post, "/api/v1/auth/token", new { email, password });
        Assert.Equal(HttpStatusCode.OK, token.StatusCode);
        return (await Json(token))["accessToken"]!.GetValue<string>();
    }

    /// <summary>Activates <paramref name="email"/> with the code of the newest mail to it.</summary>
    public async Task ActivateAsync(string email)
    {
        var activated = await SendAsync(HttpMethod.Post, "/api/v1/accounts/activate", new { email, code = await MailedCodeAsync(email) });
        Assert.Equal(HttpStatusCode.OK, activated.StatusCode);
    }

    /// <summary>The outbox of an address, newest first, read through the vendor route.</summary>
    public async Task<JsonArray> MailsAsync(string email)
    {
        var response = await SendAsync(HttpMethod.Get, $"/api/v1/vendor/mail/{Uri.EscapeDataString(email)}", null, LicensingApp.VendorKey);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await Json(response)).AsArray();
    }

    /// <summary>The code in the newest mail to <paramref name="email"/>.</summary>
    public async Task<string> MailedCodeAsync(string email)
    {
        var mails = await MailsAsync(email);
        Assert.NotEmpty(mails);
        return CodeIn(mails[0]!["body"]!.GetValue<string>());
    }

    /// <summary>The mail code (four groups of four) in a mail body.</summary>
    public static string CodeIn(string body)
    {
        var match = System.Text.RegularExpressions.Regex.Match(body, @"\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\b");
        Assert.True(match.Success, $"no code in the mail: {body}");
        return match.Value;
    }

    public async Task<(string CompanyId, string ProjectId)> CreateCompanyAsync(string token, string name = "Acme")
    {
        var response = await SendAsync(HttpMethod.Post, "/api/v1/companies", new { name }, token);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await Json(response);
        return (body["companyId"]!.GetValue<string>(), body["defaultProjectId"]!.GetValue<string>());
    }

    public async Task<string> MintKeyAsync(object licenses, string orderNumber = "SO-1")
    {
        var response = await SendAsync(HttpMethod.Post, "/api/v1/vendor/activation-keys", new { licenses, orderNumber }, LicensingApp.VendorKey);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await Json(response))["key"]!.GetValue<string>();
    }

    public async Task<(string Mac, string Secret)> RegisterHardwareAsync(string macInput, string deviceType = "IP6000", string orderNumber = "SO-1")
    {
        var response = await SendAsync(HttpMethod.Post, "/api/v1/vendor/hardware",
            new { devices = new[] { new { mac = macInput, deviceType, orderNumber, shipDate = "2026-11-01" } } }, LicensingApp.VendorKey);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var device = (await Json(response))["devices"]![0]!;
        return (device["mac"]!.GetValue<string>(), device["deviceSecret"]!.GetValue<string>());
    }

    public async Task<JsonObject> BalanceAsync(string token, string companyId, string projectId)
    {
        var response = await SendAsync(HttpMethod.Get, $"/api/v1/companies/{companyId}/projects/{projectId}/balance", null, token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await Json(response))["licenses"]!.AsObject();
    }

    public Task<HttpResponseMessage> PollAsync(string mac, string secret, string? ifNoneMatch = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/device/license");
        request.Headers.Add("X-Device-Mac", mac);
        request.Headers.Add("X-Device-Secret", secret);
        if (ifNoneMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        }

        return Http.SendAsync(request, TestContext.Current.CancellationToken);
    }

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? body, string? bearer = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        return Http.SendAsync(request, TestContext.Current.CancellationToken);
    }

    /// <summary>Every item of a paged list (<c>events</c> + <c>nextCursor</c>, e.g. the history), following cursors until none is left.</summary>
    public async Task<List<JsonNode>> ReadAllPagesAsync(string path, string token, int maxPages = 200)
    {
        var items = new List<JsonNode>();
        string? cursor = null;
        var separator = path.Contains('?', StringComparison.Ordinal) ? "&" : "?";
        for (var pages = 0; pages < maxPages; pages++)
        {
            var response = await SendAsync(HttpMethod.Get, cursor is null ? path : $"{path}{separator}cursor={Uri.EscapeDataString(cursor)}", null, token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var page = await Json(response);
            items.AddRange(page["events"]!.AsArray().Select(e => e!));
            cursor = page["nextCursor"]?.GetValue<string>();
            if (cursor is null)
            {
                return items;
            }
        }

        throw new InvalidOperationException($"The list did not end within {maxPages} pages.");
    }

    public static async Task<JsonNode> Json(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))
        ?? throw new JsonException("empty body");

    /// <summary>Asserts a problem+json error with the given status and code.</summary>
    public static async Task<JsonNode> AssertProblem(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(status == response.StatusCode, $"expected {(int)status} {code}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = JsonNode.Parse(text)!;
        Assert.Equal(code, body["code"]?.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(body["traceId"]?.GetValue<string>()), $"problem without traceId: {text}");
        return body;
    }
}
