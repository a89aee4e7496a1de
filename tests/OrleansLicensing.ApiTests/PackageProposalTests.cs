using System.Net;
using System.Text.Json.Nodes;

namespace OrleansLicensing.ApiTests;

/// <summary>R-L3 over HTTP: a wished port total becomes the cheapest packages the balances cover, previewed, then bound.</summary>
public sealed class PackageProposalTests(SharedApp shared) : IAsyncLifetime
{
    private readonly Api _api = new(shared.App.CreateClient());
    private string _token = string.Empty;
    private string _company = string.Empty;
    private string _project = string.Empty;

    public async ValueTask InitializeAsync()
    {
        _token = await _api.RegisterAndLoginAsync();
        (_company, _project) = await _api.CreateCompanyAsync(_token, "Ports");
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private async Task<string> DeviceAsync(string deviceType = "IP6000")
    {
        var (mac, _) = await _api.RegisterHardwareAsync(Api.NewMacSuffix(), deviceType);
        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{_company}/projects/{_project}/devices", new { macs = new[] { mac } }, _token)).StatusCode);
        return mac;
    }

    private async Task RedeemAsync(string project, Dictionary<string, int> licenses) =>
        Assert.Equal(HttpStatusCode.Created, (await _api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{_company}/projects/{project}/activations", new { key = await _api.MintKeyAsync(licenses) }, _token)).StatusCode);

    private static Dictionary<string, int> Map(JsonNode? node) =>
        node!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<int>());

    [Fact]
    public async Task R_L3_wished_ports_are_previewed_as_the_cheapest_packages_then_bound_with_the_other_licenses()
    {
        await RedeemAsync(_project, new() { ["PBX-Port8"] = 10, ["PBX-Port8*5"] = 10, ["PBX-Port8*20"] = 10, ["PBX-Voicemail"] = 60 });
        var mac = await DeviceAsync();
        var path = $"/api/v1/companies/{_company}/devices/{mac}/licenses";

        // The preview: 47 ports = 2×20 + 1×5 + 2×1 (94 + … SSC), nothing moves.
        var preview = await _api.SendAsync(HttpMethod.Post, path, new { version = "V13", wishedPorts = 47, licenses = new Dictionary<string, int> { ["PBX-Voicemail"] = 47 }, dryRun = true }, _token);
        Assert.Equal(HttpStatusCode.OK, preview.StatusCode);
        var proposal = (await Api.Json(preview))["proposal"]!;
        Assert.Equal(new Dictionary<string, int> { ["PBX-Port8"] = 2, ["PBX-Port8*20"] = 2, ["PBX-Port8*5"] = 1 }, Map(proposal["licenses"]));
        Assert.Equal(47, proposal["ports"]!.GetValue<int>());
        Assert.Equal((2 * 3) + (2 * 54) + 14, proposal["sscPerYear"]!.GetValue<long>());
        Assert.Equal(3, proposal["lots"]!.GetValue<int>());
        Assert.Equal(10, (await _api.BalanceAsync(_token, _company, _project))["PBX-Port8*20"]!.GetValue<int>());

        // Bound: the packages and the explicit licenses together, all or nothing.
        var bound = await _api.SendAsync(HttpMethod.Post, path, new { version = "V13", wishedPorts = 47, licenses = new Dictionary<string, int> { ["PBX-Voicemail"] = 47 } }, _token);
        Assert.Equal(HttpStatusCode.OK, bound.StatusCode);
        var lots = (await Api.Json(bound))["lots"]!.AsArray().GroupBy(l => l!["type"]!.GetValue<string>()).ToDictionary(g => g.Key, g => g.Sum(l => l!["units"]!.GetValue<int>()));
        Assert.Equal(new Dictionary<string, int> { ["PBX-Port8"] = 2, ["PBX-Port8*20"] = 2, ["PBX-Port8*5"] = 1, ["PBX-Voicemail"] = 47 }, lots);
        var balance = await _api.BalanceAsync(_token, _company, _project);
        Assert.Equal(8, balance["PBX-Port8*20"]!.GetValue<int>());
        Assert.Equal(13, balance["PBX-Voicemail"]!.GetValue<int>());
    }

    [Fact]
    public async Task R_L3_named_projects_widen_the_choice_and_an_uncoverable_total_is_InsufficientBalance_with_nothing_moved()
    {
        var reserve = (await Api.Json(await _api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{_company}/projects", new { name = "Reserve" }, _token)))["projectId"]!.GetValue<string>();
        await RedeemAsync(_project, new() { ["PBX-Port8*20"] = 1 });
        await RedeemAsync(reserve, new() { ["PBX-Port8*100"] = 1, ["PBX-Port8*20"] = 3 });
        var mac = await DeviceAsync();
        var path = $"/api/v1/companies/{_company}/devices/{mac}/licenses";

        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Post, path, new { version = "V13", wishedPorts = 100 }, _token), HttpStatusCode.Conflict, "InsufficientBalance");
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Post, path, new { version = "V13", wishedPorts = 110, fromProjects = new[] { reserve } }, _token), HttpStatusCode.Conflict, "InsufficientBalance");

        var bound = await _api.SendAsync(HttpMethod.Post, path, new { version = "V13", wishedPorts = 120, fromProjects = new[] { reserve } }, _token);
        Assert.Equal(HttpStatusCode.OK, bound.StatusCode);
        Assert.Equal(new Dictionary<string, int> { ["PBX-Port8*100"] = 1, ["PBX-Port8*20"] = 1 }, Map((await Api.Json(bound))["proposal"]!["licenses"]));
        Assert.Empty(await _api.BalanceAsync(_token, _company, _project));
        Assert.Equal(3, (await _api.BalanceAsync(_token, _company, reserve))["PBX-Port8*20"]!.GetValue<int>());
    }

    [Fact]
    public async Task R_L3_the_device_types_maxima_limit_the_packages()
    {
        // An IP800 holds at most 10 PBX-Port8*20 (catalog); 12 × 20 ports need the smaller packages for the rest.
        await RedeemAsync(_project, new() { ["PBX-Port8*20"] = 12, ["PBX-Port8*5"] = 8 });
        var mac = await DeviceAsync("IP800");
        var proposal = (await Api.Json(await _api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{_company}/devices/{mac}/licenses", new { version = "V13", wishedPorts = 240, dryRun = true }, _token)))["proposal"]!;
        Assert.Equal(new Dictionary<string, int> { ["PBX-Port8*20"] = 10, ["PBX-Port8*5"] = 8 }, Map(proposal["licenses"]));
    }

    [Fact]
    public async Task R_L3_wished_ports_refuse_bad_values_and_versions_before_V8()
    {
        var mac = await DeviceAsync();
        var path = $"/api/v1/companies/{_company}/devices/{mac}/licenses";
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Post, path, new { version = "V13", wishedPorts = 0 }, _token), HttpStatusCode.BadRequest, "InvalidUnits");
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Post, path, new { version = "V13", wishedPorts = -5 }, _token), HttpStatusCode.BadRequest, "InvalidUnits");
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Post, path, new { version = "V7", wishedPorts = 20 }, _token), HttpStatusCode.BadRequest, "ValidationFailed");
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Post, path, new { version = "V13" }, _token), HttpStatusCode.BadRequest, "ValidationFailed");
    }
}
