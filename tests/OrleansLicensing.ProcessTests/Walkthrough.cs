using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace OrleansLicensing.ProcessTests;

/// <summary>The README walkthrough over HTTP against a base URL: account → key → device → licenses → poll.</summary>
public sealed class Walkthrough(HttpClient http, string baseUrl, string vendorKey)
{
    public string Mac { get; private set; } = string.Empty;

    public string Secret { get; private set; } = string.Empty;

    public string CompanyId { get; private set; } = string.Empty;

    public string ProjectId { get; private set; } = string.Empty;

    public string Token { get; private set; } = string.Empty;

    public const string Password = "correct horse";

    public string Email { get; private set; } = string.Empty;

    public async Task RunAsync()
    {
        var email = Email = $"ann-{Guid.NewGuid():N}@example.com";
        await SendAsync(HttpMethod.Post, "/api/v1/accounts", new { email, password = Password, displayName = "Ann", language = "en" }, null, HttpStatusCode.Created);

        // The activation code is in the mail; without SMTP the outbox holds it (vendor route).
        var mails = await SendAsync(HttpMethod.Get, $"/api/v1/vendor/mail/{email}", null, vendorKey, HttpStatusCode.OK);
        var code = System.Text.RegularExpressions.Regex.Match(mails[0]!["body"]!.GetValue<string>(), "[0-9A-Z]{4}(-[0-9A-Z]{4}){3}").Value;
        await SendAsync(HttpMethod.Post, "/api/v1/accounts/activate", new { email, code }, null, HttpStatusCode.OK);
        Token = (await SendAsync(HttpMethod.Post, "/api/v1/auth/token", new { email, password = Password }, null, HttpStatusCode.OK))["accessToken"]!.GetValue<string>();
        var company = await SendAsync(HttpMethod.Post, "/api/v1/companies", new { name = "Acme" }, Token, HttpStatusCode.Created);
        CompanyId = company["companyId"]!.GetValue<string>();
        ProjectId = company["defaultProjectId"]!.GetValue<string>();
        var key = (await SendAsync(HttpMethod.Post, "/api/v1/vendor/activation-keys", new { licenses = new Dictionary<string, int> { ["PBX-Port8*20"] = 20 }, orderNumber = "SO-1" }, vendorKey, HttpStatusCode.Created))["key"]!.GetValue<string>();

        var suffix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        var hardware = await SendAsync(HttpMethod.Post, "/api/v1/vendor/hardware", new { devices = new[] { new { mac = suffix, deviceType = "IP6000", orderNumber = "SO-1", shipDate = "2026-11-01" } } }, vendorKey, HttpStatusCode.Created);
        Mac = hardware["devices"]![0]!["mac"]!.GetValue<string>();
        Secret = hardware["devices"]![0]!["deviceSecret"]!.GetValue<string>();

        await SendAsync(HttpMethod.Post, $"/api/v1/companies/{CompanyId}/projects/{ProjectId}/activations", new { key }, Token, HttpStatusCode.Created);
        await SendAsync(HttpMethod.Post, $"/api/v1/companies/{CompanyId}/projects/{ProjectId}/devices", new { macs = new[] { Mac } }, Token, HttpStatusCode.OK);
        await SendAsync(HttpMethod.Post, $"/api/v1/companies/{CompanyId}/devices/{suffix}/licenses", new { version = "V13", licenses = new Dictionary<string, int> { ["PBX-Port8*20"] = 20 } }, Token, HttpStatusCode.OK);
    }

    public async Task<JsonNode> SendAsync(HttpMethod method, string path, object? body, string? bearer, HttpStatusCode expected)
    {
        using var request = new HttpRequestMessage(method, baseUrl + path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{method} {path}: expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        return text.Length == 0 ? new JsonObject() : JsonNode.Parse(text)!;
    }

    public async Task<HttpResponseMessage> PollAsync(string? ifNoneMatch = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, baseUrl + "/api/v1/device/license");
        request.Headers.TryAddWithoutValidation("X-Device-Mac", Mac);
        request.Headers.TryAddWithoutValidation("X-Device-Secret", Secret);
        if (ifNoneMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        }

        return await http.SendAsync(request);
    }
}
