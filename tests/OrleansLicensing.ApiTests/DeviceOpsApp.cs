using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;

namespace OrleansLicensing.ApiTests;

/// <summary>
/// A node for the license operations on devices (R-L2, R-L6, R-L7, R-L8, R-L9): the licensing clock is a
/// <see cref="TestClock"/> and the test mode and test license reminders tick every second.
/// </summary>
public sealed class DeviceOpsApp : IAsyncLifetime
{
    public static readonly IReadOnlyDictionary<string, string> FastTestModeChecks = new Dictionary<string, string> { ["Devices:TestModeCheckPeriod"] = "00:00:01", ["Devices:TestLicenseCheckPeriod"] = "00:00:01" };

    public TestClock Clock { get; } = new();

    public LicensingApp App { get; }

    public DeviceOpsApp()
    {
        App = Create("Memory", null, Clock);
    }

    public static LicensingApp Create(string storage, string? directory, TestClock clock) =>
        new(storage, directory, services => services.AddKeyedSingleton<TimeProvider>(OrleansLicensing.Grains.LicensingClock.Key, clock), FastTestModeChecks);

    public ValueTask InitializeAsync()
    {
        App.CreateClient().Dispose();
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync() => await App.DisposeAsync();
}

/// <summary>A company with its admin, default project and helpers for devices and balances, over HTTP.</summary>
public sealed class DeviceCompany(Api api, string token, string companyId, string projectId)
{
    public Api Api { get; } = api;

    public string Token { get; } = token;

    public string CompanyId { get; } = companyId;

    public string ProjectId { get; } = projectId;

    public string Base => $"/api/v1/companies/{CompanyId}";

    /// <summary>A new company of a new admin, or of the registered account <paramref name="email"/>.</summary>
    public static async Task<DeviceCompany> CreateAsync(Api api, string name = "Devices AG", string? email = null)
    {
        var token = email is null ? await api.RegisterAndLoginAsync() : await api.LoginAsync(email);
        var (companyId, projectId) = await api.CreateCompanyAsync(token, name);
        return new DeviceCompany(api, token, companyId, projectId);
    }

    /// <summary>Registers a device (shipped on <paramref name="shipDate"/>) and adds it to <paramref name="projectId"/> (default project if null).</summary>
    public async Task<(string Mac, string Secret)> DeviceAsync(string deviceType = "IP6000", string? shipDate = null, string? projectId = null, string orderNumber = "SO-DEV")
    {
        var response = await Api.SendAsync(HttpMethod.Post, "/api/v1/vendor/hardware",
            new { devices = new[] { new { mac = Api.NewMacSuffix(), deviceType, orderNumber, shipDate = shipDate ?? "2026-11-01" } } }, LicensingApp.VendorKey);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var device = (await Api.Json(response))["devices"]![0]!;
        var (mac, secret) = (device["mac"]!.GetValue<string>(), device["deviceSecret"]!.GetValue<string>());
        var added = await Api.SendAsync(HttpMethod.Post, $"{Base}/projects/{projectId ?? ProjectId}/devices", new { macs = new[] { mac } }, Token);
        Assert.Equal(HttpStatusCode.OK, added.StatusCode);
        Assert.Equal("added", (await Api.Json(added))["results"]![0]!["status"]!.GetValue<string>());
        return (mac, secret);
    }

    /// <summary>Mints a key with <paramref name="licenses"/> and redeems it into <paramref name="projectId"/> (default project if null).</summary>
    public async Task FundAsync(Dictionary<string, int> licenses, string? projectId = null)
    {
        var key = await Api.MintKeyAsync(licenses);
        var redeemed = await Api.SendAsync(HttpMethod.Post, $"{Base}/projects/{projectId ?? ProjectId}/activations", new { key }, Token);
        Assert.Equal(HttpStatusCode.Created, redeemed.StatusCode);
    }

    public async Task<string> ProjectAsync(string name)
    {
        var response = await Api.SendAsync(HttpMethod.Post, $"{Base}/projects", new { name }, Token);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await Api.Json(response))["projectId"]!.GetValue<string>();
    }

    public async Task<int> BalanceOfAsync(string type, string? projectId = null) =>
        (await Api.BalanceAsync(Token, CompanyId, projectId ?? ProjectId))[type]?.GetValue<int>() ?? 0;

    public async Task<JsonArray> LotsAsync(string mac)
    {
        var response = await Api.SendAsync(HttpMethod.Get, $"{Base}/devices/{mac}", null, Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await Api.Json(response))["licenses"]!.AsArray();
    }

    public async Task<int> UnitsOnAsync(string mac, string type) =>
        (await LotsAsync(mac)).Where(l => l!["type"]!.GetValue<string>() == type).Sum(l => l!["units"]!.GetValue<int>());

    public Task<HttpResponseMessage> PostAsync(string path, object? body) => Api.SendAsync(HttpMethod.Post, Base + path, body, Token);

    public Task<HttpResponseMessage> DeleteAsync(string path) => Api.SendAsync(HttpMethod.Delete, Base + path, null, Token);

    /// <summary>Every history event of the company (R-Q2), newest first, all pages; <paramref name="query"/> adds filters.</summary>
    public Task<List<JsonNode>> HistoryAsync(string? query = null) =>
        Api.ReadAllPagesAsync($"{Base}/history?period=always&limit=500{(query is null ? string.Empty : "&" + query)}", Token);

    /// <summary>The actions of the device's history events, oldest first.</summary>
    public async Task<string[]> DeviceActionsAsync(string mac) =>
        [.. (await HistoryAsync($"context=device&mac={mac}")).Select(e => e["action"]!.GetValue<string>()).Reverse()];

    /// <summary>The conservation audit (R-C2), asserted balanced with no difference on any type.</summary>
    public async Task AssertAuditBalancedAsync()
    {
        var response = await Api.SendAsync(HttpMethod.Get, "/api/v1/vendor/audit", null, LicensingApp.VendorKey);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var audit = await Api.Json(response);
        Assert.True(audit["balanced"]!.GetValue<bool>(), audit.ToJsonString());
        Assert.All(audit["licenseTypes"]!.AsArray(), line => Assert.Equal(0, line!["difference"]!.GetValue<long>()));
    }
}
