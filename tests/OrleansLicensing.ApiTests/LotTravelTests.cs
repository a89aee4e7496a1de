using System.Net;
using System.Text.Json.Nodes;

namespace OrleansLicensing.ApiTests;

/// <summary>R-F2, R-L1 and R-L4 over HTTP: batch limits, and lots that keep their facts when they travel.</summary>
public sealed class LotTravelTests(SharedApp shared) : IAsyncLifetime
{
    private const string Port8x20 = "PBX-Port8*20";

    private readonly Api _api = new(shared.App.CreateClient());
    private string _token = string.Empty;
    private string _company = string.Empty;
    private string _project = string.Empty;

    private string Company => $"/api/v1/companies/{_company}";

    public async ValueTask InitializeAsync()
    {
        _token = await _api.RegisterAndLoginAsync();
        (_company, _project) = await _api.CreateCompanyAsync(_token, "Travel");
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private async Task<JsonArray> DevicesAsync(string projectId) =>
        (await Api.Json(await _api.SendAsync(HttpMethod.Get, $"{Company}/projects/{projectId}/devices", null, _token))).AsArray();

    [Fact]
    public async Task R_F2_a_range_of_50_is_added_whole_and_51_addresses_are_TooManyDevices_with_nothing_added()
    {
        var first = Convert.ToInt32(Api.NewMacSuffix(), 16) & 0xFFFF00;
        string Mac(int offset) => $"00-90-33-{(first + offset) >> 16 & 0xFF:x2}-{(first + offset) >> 8 & 0xFF:x2}-{(first + offset) & 0xFF:x2}";
        var project = (await Api.Json(await _api.SendAsync(HttpMethod.Post, $"{Company}/projects", new { name = "Range" }, _token)))["projectId"]!.GetValue<string>();

        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Post, $"{Company}/projects/{project}/devices", new { range = new { from = Mac(0), to = Mac(50) } }, _token), HttpStatusCode.BadRequest, "TooManyDevices");
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Post, $"{Company}/projects/{project}/devices", new { macs = Enumerable.Range(0, 51).Select(Mac).ToArray() }, _token), HttpStatusCode.BadRequest, "TooManyDevices");
        Assert.Empty(await DevicesAsync(project));

        // Inclusive and ordered: 50 addresses, every one a result (unregistered ones NotFound, R-D3).
        var results = (await Api.Json(await _api.SendAsync(HttpMethod.Post, $"{Company}/projects/{project}/devices", new { range = new { from = Mac(0), to = Mac(49) } }, _token)))["results"]!.AsArray();
        Assert.Equal(Enumerable.Range(0, 50).Select(Mac), results.Select(r => r!["mac"]!.GetValue<string>()));
        Assert.All(results, r => Assert.Equal("NotFound", r!["code"]!.GetValue<string>()));
    }

    [Fact]
    public async Task R_L1_R_L4_a_lot_keeps_type_units_version_bind_date_SSA_end_and_id_through_RMA_free_pool_and_onto_another_device()
    {
        Assert.Equal(HttpStatusCode.Created, (await _api.SendAsync(HttpMethod.Post, $"{Company}/projects/{_project}/activations", new { key = await _api.MintKeyAsync(new Dictionary<string, int> { [Port8x20] = 2, ["SSC"] = 1000 }) }, _token)).StatusCode);
        var (from, _) = await _api.RegisterHardwareAsync(Api.NewMacSuffix());
        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Post, $"{Company}/projects/{_project}/devices", new { macs = new[] { from } }, _token)).StatusCode);
        var ssaEnd = DateOnly.FromDateTime(DateTime.UtcNow).AddYears(1).ToString("yyyy-MM-dd");
        var bound = await _api.SendAsync(HttpMethod.Post, $"{Company}/devices/{from}/licenses", new { version = "V13", licenses = new Dictionary<string, int> { [Port8x20] = 2 }, ssaEndDate = ssaEnd }, _token);
        Assert.Equal(HttpStatusCode.OK, bound.StatusCode);

        // R-L1: the lot as bound.
        var lot = Assert.Single((await Api.Json(await _api.SendAsync(HttpMethod.Get, $"{Company}/devices/{from}", null, _token)))["licenses"]!.AsArray())!;
        Assert.Equal((Port8x20, 2, "V13", ssaEnd), (lot["type"]!.GetValue<string>(), lot["units"]!.GetValue<int>(), lot["version"]!.GetValue<string>(), lot["ssaEndDate"]!.GetValue<string>()));
        var facts = Facts(lot);

        // Through RMA into the free pool of Freed_RMA_licenses: the same lot.
        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Post, $"{Company}/devices/{from}/rma", new { reason = "dead" }, _token)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Post, $"/api/v1/vendor/rma/{from}/arrived", null, LicensingApp.VendorKey)).StatusCode);
        var freed = (await Api.Json(await _api.SendAsync(HttpMethod.Post, $"/api/v1/vendor/rma/{from}/reship", null, LicensingApp.VendorKey)))["freedProjectId"]!.GetValue<string>();
        var pooled = Assert.Single((await Api.Json(await _api.SendAsync(HttpMethod.Get, $"{Company}/projects/{freed}/free-licenses", null, _token))).AsArray())!;
        Assert.Equal(facts, Facts(pooled));

        // R-L4: onto another device of that project, still the same lot; the pool is empty.
        var (to, _) = await _api.RegisterHardwareAsync(Api.NewMacSuffix());
        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Post, $"{Company}/projects/{freed}/devices", new { macs = new[] { to } }, _token)).StatusCode);
        var added = await _api.SendAsync(HttpMethod.Post, $"{Company}/devices/{to}/licenses/from-free", new { lotIds = new[] { pooled["lotId"]!.GetValue<string>() } }, _token);
        Assert.Equal(HttpStatusCode.OK, added.StatusCode);
        var moved = Assert.Single((await Api.Json(await _api.SendAsync(HttpMethod.Get, $"{Company}/devices/{to}", null, _token)))["licenses"]!.AsArray())!;
        Assert.Equal(facts, Facts(moved));
        Assert.Empty((await Api.Json(await _api.SendAsync(HttpMethod.Get, $"{Company}/projects/{freed}/free-licenses", null, _token))).AsArray());

        // The same consistency rules apply from the pool: a lot id no longer there is NotFound, nothing changes.
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Post, $"{Company}/devices/{to}/licenses/from-free", new { lotIds = new[] { pooled["lotId"]!.GetValue<string>() } }, _token), HttpStatusCode.NotFound, "NotFound");
        var audit = await Api.Json(await _api.SendAsync(HttpMethod.Get, "/api/v1/vendor/audit", null, LicensingApp.VendorKey));
        Assert.True(audit["balanced"]!.GetValue<bool>(), audit.ToJsonString());
    }

    private static (string, int, string, string, string?, string?, string) Facts(JsonNode lot) => (
        lot["type"]!.GetValue<string>(),
        lot["units"]!.GetValue<int>(),
        lot["version"]!.GetValue<string>(),
        lot["bindDate"]!.GetValue<string>(),
        lot["ssaEndDate"]?.GetValue<string>(),
        lot["externalKey"]?.GetValue<string>(),
        lot["lotId"]!.GetValue<string>());
}
