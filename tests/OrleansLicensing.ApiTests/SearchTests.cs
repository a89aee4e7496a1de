using System.Net;
using System.Text.Json.Nodes;

namespace OrleansLicensing.ApiTests;

/// <summary>The search field over HTTP (R-Q1): each kind, the minimum lengths, license type amounts, tenancy.</summary>
public sealed class SearchTests(SharedApp shared) : IAsyncLifetime
{
    private readonly Api _api = new(shared.App.CreateClient());
    private string _token = string.Empty;
    private string _companyId = string.Empty;
    private string _projectId = string.Empty;

    private string Company => $"/api/v1/companies/{_companyId}";

    public async ValueTask InitializeAsync()
    {
        _token = await _api.RegisterAndLoginAsync();
        (_companyId, _projectId) = await _api.CreateCompanyAsync(_token);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task R_Q1_finds_devices_by_mac_in_every_accepted_form()
    {
        var suffix = Api.NewMacSuffix();
        var (mac, _) = await _api.RegisterHardwareAsync(suffix);
        var (other, _) = await _api.RegisterHardwareAsync(Api.NewMacSuffix());
        await Ok(HttpMethod.Post, $"{Company}/projects/{_projectId}/devices", new { macs = new[] { mac, other } });

        string[] forms = [mac, mac.ToUpperInvariant(), mac.Replace("-", ":", StringComparison.Ordinal), mac.Replace("-", string.Empty, StringComparison.Ordinal), suffix, suffix.ToUpperInvariant(), mac[9..]];
        foreach (var form in forms)
        {
            var devices = (await SearchAsync(form))["devices"]!.AsArray();
            var hit = Assert.Single(devices, d => d!["mac"]!.GetValue<string>() == mac)!;
            Assert.Equal("mac", hit["matchedBy"]!.GetValue<string>());
            Assert.Equal(_projectId, hit["projectId"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task R_Q1_finds_projects_by_name_and_description()
    {
        var harbour = await CreateProjectAsync("Harbour Office", "PBX of the port authority");
        await CreateProjectAsync("Main Street", "shop");

        var byName = (await SearchAsync("harbour"))["projects"]!.AsArray();
        Assert.Equal([harbour], byName.Select(p => p!["projectId"]!.GetValue<string>()));
        var byDescription = (await SearchAsync("AUTHORITY", "project"))["projects"]!.AsArray();
        Assert.Equal("Harbour Office", Assert.Single(byDescription)!["name"]!.GetValue<string>());

        // A rename is found at once under the new name, no longer under the old one.
        await Ok(HttpMethod.Patch, $"{Company}/projects/{harbour}", new { name = "Quay Office" });
        Assert.Empty((await SearchAsync("Harbour", "project"))["projects"]!.AsArray());
        Assert.Single((await SearchAsync("quay", "project"))["projects"]!.AsArray());
    }

    [Fact]
    public async Task R_Q1_finds_own_keys_by_code_and_comment_from_five_characters()
    {
        var key = await _api.MintKeyAsync(new Dictionary<string, int> { ["PBX-Port8*20"] = 3 });
        Assert.Equal(HttpStatusCode.Created, (await _api.SendAsync(HttpMethod.Post, $"{Company}/projects/{_projectId}/activations", new { key }, _token)).StatusCode);
        var created = await _api.SendAsync(HttpMethod.Post, $"{Company}/projects/{_projectId}/own-keys", new { licenses = new Dictionary<string, int> { ["PBX-Port8*20"] = 1 }, comment = "Customer Meierhofer" }, _token);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var own = (await Api.Json(created))["key"]!.GetValue<string>();

        var byComment = (await SearchAsync("meierhof"))["keys"]!.AsArray();
        Assert.Equal(own, Assert.Single(byComment)!["key"]!.GetValue<string>());
        var part = own.Replace("-", string.Empty, StringComparison.Ordinal)[2..8].ToLowerInvariant();
        Assert.Equal(own, Assert.Single((await SearchAsync(part, "key"))["keys"]!.AsArray())!["key"]!.GetValue<string>());

        // Three or four characters find other kinds, never keys; asked for keys alone they are too short.
        Assert.Empty((await SearchAsync("Meie"))["keys"]!.AsArray());
        await Api.AssertProblem(await Search("Meie", "key"), HttpStatusCode.BadRequest, "SearchTooShort");

        // A deleted own key is no longer found.
        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Delete, $"{Company}/projects/{_projectId}/own-keys/{own}", null, _token)).StatusCode);
        Assert.Empty((await SearchAsync("meierhof"))["keys"]!.AsArray());
    }

    [Fact]
    public async Task R_Q1_license_type_finds_holders_and_TYPE_equals_N_those_holding_at_least_N()
    {
        var key = await _api.MintKeyAsync(new Dictionary<string, int> { ["PBX-Port8"] = 140, ["Relay-PRI"] = 1 });
        Assert.Equal(HttpStatusCode.Created, (await _api.SendAsync(HttpMethod.Post, $"{Company}/projects/{_projectId}/activations", new { key }, _token)).StatusCode);
        var (big, _) = await _api.RegisterHardwareAsync(Api.NewMacSuffix());
        var (small, _) = await _api.RegisterHardwareAsync(Api.NewMacSuffix());
        var (none, _) = await _api.RegisterHardwareAsync(Api.NewMacSuffix());
        await Ok(HttpMethod.Post, $"{Company}/projects/{_projectId}/devices", new { macs = new[] { big, small, none } });
        await Ok(HttpMethod.Post, $"{Company}/devices/{big}/licenses", new { version = "V13", licenses = new Dictionary<string, int> { ["PBX-Port8"] = 100 } });
        await Ok(HttpMethod.Post, $"{Company}/devices/{small}/licenses", new { version = "V13", licenses = new Dictionary<string, int> { ["PBX-Port8"] = 40 } });
        await Ok(HttpMethod.Post, $"{Company}/devices/{none}/licenses", new { version = "V13", licenses = new Dictionary<string, int> { ["Relay-PRI"] = 1 } });

        string[] Macs(JsonNode result) => [.. result["devices"]!.AsArray().Select(d => d!["mac"]!.GetValue<string>()).Order(StringComparer.Ordinal)];

        Assert.Equal(new[] { big, small }.Order(StringComparer.Ordinal), Macs(await SearchAsync("PBX-Port8")));
        Assert.Equal(new[] { big, small }.Order(StringComparer.Ordinal), Macs(await SearchAsync("pbx-port")));
        var atLeast100 = await SearchAsync("PBX-Port8=100");
        Assert.Equal([big], Macs(atLeast100));
        Assert.Equal("licenseType", atLeast100["devices"]![0]!["matchedBy"]!.GetValue<string>());
        Assert.Equal(100, atLeast100["devices"]![0]!["licenses"]!["PBX-Port8"]!.GetValue<int>());
        Assert.Equal(new[] { big, small }.Order(StringComparer.Ordinal), Macs(await SearchAsync("PBX-Port8=40")));
        Assert.Empty(Macs(await SearchAsync("PBX-Port8=101")));
        Assert.Equal([none], Macs(await SearchAsync("relay", "licenseType")));
    }

    [Fact]
    public async Task R_Q1_minimum_lengths_and_bad_kinds_are_refused()
    {
        foreach (var q in new[] { string.Empty, "a", "ab", "  ab  ", "PB=1" })
        {
            await Api.AssertProblem(await Search(q), HttpStatusCode.BadRequest, "SearchTooShort");
        }

        await Api.AssertProblem(await Search("abcd", "key"), HttpStatusCode.BadRequest, "SearchTooShort");
        await Api.AssertProblem(await Search("abcdef", "everything"), HttpStatusCode.BadRequest, "ValidationFailed");
        await Api.AssertProblem(await Search(new string('x', 101)), HttpStatusCode.BadRequest, "ValidationFailed");
        Assert.Equal(HttpStatusCode.OK, (await Search("abc")).StatusCode);
    }

    [Fact]
    public async Task R_Q1_search_is_404_for_other_companies_and_finds_only_the_company_own_items()
    {
        var outsider = await _api.RegisterAndLoginAsync();
        var (outsiderCompany, outsiderProject) = await _api.CreateCompanyAsync(outsider, "Outsider");
        var (theirs, _) = await _api.RegisterHardwareAsync(Api.NewMacSuffix());
        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{outsiderCompany}/projects/{outsiderProject}/devices", new { macs = new[] { theirs } }, outsider)).StatusCode);

        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Get, $"{Company}/search?q=DEFAULT", null, outsider), HttpStatusCode.NotFound, "NotFound");
        Assert.Empty((await SearchAsync(theirs))["devices"]!.AsArray());
        var projects = (await SearchAsync("DEFAULT", "project"))["projects"]!.AsArray();
        Assert.Equal([_projectId], projects.Select(p => p!["projectId"]!.GetValue<string>()));
    }

    [Fact]
    public async Task R_Q1_a_device_another_company_takes_over_leaves_the_search_and_the_history_says_so()
    {
        var (mac, secret) = await _api.RegisterHardwareAsync(Api.NewMacSuffix());
        await Ok(HttpMethod.Post, $"{Company}/projects/{_projectId}/devices", new { macs = new[] { mac } });
        Assert.Single((await SearchAsync(mac))["devices"]!.AsArray());

        var buyer = await _api.RegisterAndLoginAsync();
        var (buyerCompany, buyerProject) = await _api.CreateCompanyAsync(buyer, "Buyer");
        var taken = await _api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{buyerCompany}/projects/{buyerProject}/devices", new { devices = new[] { new { mac, deviceSecret = secret } } }, buyer);
        Assert.Equal("warning", (await Api.Json(taken))["results"]![0]!["status"]!.GetValue<string>());

        Assert.Empty((await SearchAsync(mac))["devices"]!.AsArray());
        var history = await Api.Json(await _api.SendAsync(HttpMethod.Get, $"{Company}/history?context=device&mac={mac}", null, _token));
        Assert.Equal(["DeviceTakenOver", "DeviceAdded"], history["events"]!.AsArray().Select(e => e!["action"]!.GetValue<string>()));
        Assert.Equal(_projectId, history["events"]![0]!["projectId"]!.GetValue<string>());
        var buyerSearch = await Api.Json(await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{buyerCompany}/search?q={mac}", null, buyer));
        Assert.Equal(buyerProject, Assert.Single(buyerSearch["devices"]!.AsArray())!["projectId"]!.GetValue<string>());
    }

    private async Task<string> CreateProjectAsync(string name, string description)
    {
        var response = await _api.SendAsync(HttpMethod.Post, $"{Company}/projects", new { name, description }, _token);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await Api.Json(response))["projectId"]!.GetValue<string>();
    }

    private Task<HttpResponseMessage> Search(string q, string? kind = null) =>
        _api.SendAsync(HttpMethod.Get, $"{Company}/search?q={Uri.EscapeDataString(q)}{(kind is null ? string.Empty : "&kind=" + kind)}", null, _token);

    private async Task<JsonNode> SearchAsync(string q, string? kind = null)
    {
        // The index learns of a change by a one-way notice sent before the change answered; on one
        // node it is queued at the index ahead of this search, which therefore sees the change.
        var response = await Search(q, kind);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await Api.Json(response);
    }

    private async Task Ok(HttpMethod method, string path, object? body)
    {
        var response = await _api.SendAsync(method, path, body, _token);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)}");
    }
}
