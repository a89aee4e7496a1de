using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using OrleansLicensing.Gateway;
using OrleansLicensing.Silo;

namespace OrleansLicensing.LoadTests;

/// <summary>
/// A single licensing node (silo + gateway) started in this process for a benchmark, and the
/// HTTP calls that seed it through the public API.
/// </summary>
public static class BenchmarkNode
{
    public const string VendorKey = "load-test-vendor-key-0000000000";
    private const string Password = "load test password";

    /// <summary>Starts a node on free loopback ports; <paramref name="storageProvider"/> is "Memory" or "Sqlite".</summary>
    public static async Task<WebApplication> StartAsync(string storageProvider, string? dataDirectory, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production", ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["urls"] = $"http://127.0.0.1:{FreePort()}",
            ["Storage:Provider"] = storageProvider,
            ["Storage:DataDirectory"] = dataDirectory ?? Path.Combine(Path.GetTempPath(), "orleans-licensing-bench", "memory"),
            ["Orleans:SiloPort"] = FreePort().ToString(CultureInfo.InvariantCulture),
            ["Orleans:GatewayPort"] = FreePort().ToString(CultureInfo.InvariantCulture),
            ["Licensing:VendorApiKey"] = VendorKey,
            ["Logging:LogLevel:Default"] = "Warning",
        });
        builder.Configuration.AddInMemoryCollection(ExternalNode.LoadSettings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)));
        builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
        builder.AddLicensingSilo();
        builder.AddLicensingGateway();
        var app = builder.Build();
        app.UseLicensingGateway();
        await app.StartAsync();
        return app;
    }

    /// <summary>A new account (<paramref name="email"/>, or a fresh address); returns its bearer token.</summary>
    public static async Task<string> RegisterUserAsync(HttpClient http, string? email = null) => await LoginAsync(http, await RegisterAccountAsync(http, email));

    /// <summary>A fresh bearer token of the account (access tokens live 15 minutes; a long seeding signs in again).</summary>
    public static async Task<string> LoginAsync(HttpClient http, string email) =>
        (await Json(await Expect(http.PostAsJsonAsync("/api/v1/auth/token", new { email, password = Password }), HttpStatusCode.OK)))["accessToken"]!.GetValue<string>();

    /// <summary>A new, activated account (<paramref name="email"/>, or a fresh address); returns its e-mail.</summary>
    public static async Task<string> RegisterAccountAsync(HttpClient http, string? email = null)
    {
        email ??= $"load-{Guid.NewGuid():N}@example.com";
        await Expect(http.PostAsJsonAsync("/api/v1/accounts", new { email, password = Password, displayName = "Load", language = "en" }), HttpStatusCode.Created);

        // Accounts are activated with the mailed code (R-U5); the node's outbox holds the mail.
        var mails = await Json(await Expect(Send(http, HttpMethod.Get, $"/api/v1/vendor/mail/{email}", VendorKey, null), HttpStatusCode.OK));
        var code = System.Text.RegularExpressions.Regex.Match(mails[0]!["body"]!.GetValue<string>(), "[0-9A-Z]{4}(-[0-9A-Z]{4}){3}").Value;
        await Expect(http.PostAsJsonAsync("/api/v1/accounts/activate", new { email, code }), HttpStatusCode.OK);
        return email;
    }

    public static async Task<(string CompanyId, string DefaultProjectId)> CreateCompanyAsync(HttpClient http, string token, string name)
    {
        var company = await Json(await Expect(Send(http, HttpMethod.Post, "/api/v1/companies", token, new { name }), HttpStatusCode.Created));
        return (company["companyId"]!.GetValue<string>(), company["defaultProjectId"]!.GetValue<string>());
    }

    public static async Task<string> CreateProjectAsync(HttpClient http, string token, string companyId, string name) =>
        (await Json(await Expect(Send(http, HttpMethod.Post, $"/api/v1/companies/{companyId}/projects", token, new { name }), HttpStatusCode.Created)))["projectId"]!.GetValue<string>();

    /// <summary>The vendor mints a key of <paramref name="units"/> and the user redeems it into the project.</summary>
    public static async Task FundAsync(HttpClient http, string token, string companyId, string projectId, string licenseType, int units)
    {
        var key = await MintKeyAsync(http, licenseType, units);
        await Expect(Send(http, HttpMethod.Post, $"/api/v1/companies/{companyId}/projects/{projectId}/activations", token, new { key }), HttpStatusCode.Created);
    }

    /// <summary>The vendor mints an activation key of <paramref name="units"/> (R-K1); returns its code.</summary>
    public static async Task<string> MintKeyAsync(HttpClient http, string licenseType, int units) =>
        (await Json(await Expect(Send(http, HttpMethod.Post, "/api/v1/vendor/activation-keys", VendorKey, new { licenses = new Dictionary<string, int> { [licenseType] = units }, orderNumber = "LOAD" }), HttpStatusCode.Created)))["key"]!.GetValue<string>();

    /// <summary>The problem code of an error answer (problem+json <c>code</c>), or null when the body has none.</summary>
    public static async Task<string?> ProblemCodeAsync(HttpResponseMessage response)
    {
        try
        {
            return JsonNode.Parse(await response.Content.ReadAsStringAsync())?["code"]?.GetValue<string>();
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    /// <summary>Registers <paramref name="count"/> IP6000 devices from MAC suffix <paramref name="firstSuffix"/> and adds them to the project.</summary>
    public static async Task<List<(string Mac, string Secret)>> AddDevicesAsync(HttpClient http, string token, string companyId, string projectId, int firstSuffix, int count)
    {
        var devices = new List<(string, string)>(count);
        foreach (var batch in Enumerable.Range(firstSuffix, count).Chunk(500))
        {
            var registration = new { devices = batch.Select(suffix => new { mac = suffix.ToString("x6", CultureInfo.InvariantCulture), deviceType = "IP6000", orderNumber = "LOAD", shipDate = "2026-01-01" }).ToArray() };
            var registered = await Json(await Expect(Send(http, HttpMethod.Post, "/api/v1/vendor/hardware", VendorKey, registration), HttpStatusCode.Created));
            devices.AddRange(registered["devices"]!.AsArray().Select(d => (d!["mac"]!.GetValue<string>(), d["deviceSecret"]!.GetValue<string>())));
        }

        foreach (var batch in devices.Chunk(50))
        {
            await Expect(Send(http, HttpMethod.Post, $"/api/v1/companies/{companyId}/projects/{projectId}/devices", token, new { macs = batch.Select(d => d.Item1).ToArray() }), HttpStatusCode.OK);
        }

        return devices;
    }

    public static Task<HttpResponseMessage> Send(HttpClient http, HttpMethod method, string path, string bearer, object? body)
    {
        var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return http.SendAsync(request);
    }

    public static async Task<HttpResponseMessage> Expect(Task<HttpResponseMessage> call, HttpStatusCode status)
    {
        var response = await call;
        if (response.StatusCode != status)
        {
            throw new InvalidOperationException($"Seeding got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        return response;
    }

    public static async Task<JsonNode> Json(HttpResponseMessage response) => JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>The short hash of the checkout at <paramref name="root"/> (the commit a benchmark measured).</summary>
    public static string Commit(string root)
    {
        try
        {
            var start = new System.Diagnostics.ProcessStartInfo("git", "rev-parse --short HEAD") { WorkingDirectory = root, RedirectStandardOutput = true };
            using var git = System.Diagnostics.Process.Start(start)!;
            var hash = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            return hash.Length > 0 ? hash : "unknown";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "unknown";
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
