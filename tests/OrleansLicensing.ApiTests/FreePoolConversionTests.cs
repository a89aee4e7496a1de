using System.Net;
using System.Text.Json.Nodes;

namespace OrleansLicensing.ApiTests;

/// <summary>Free pool → balance over HTTP (R-V6): one year of SSC per unit, SSA and external key dropped, the version chosen for lots under SSA.</summary>
public sealed class FreePoolConversionTests(DeviceOpsApp node) : IClassFixture<DeviceOpsApp>
{
    private readonly Api _api = new(node.App.CreateClient());

    private async Task<string> ReshipAsync(DeviceCompany company, string mac)
    {
        Assert.Equal(HttpStatusCode.OK, (await company.PostAsync($"/devices/{mac}/rma", new { reason = "dead" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Post, $"/api/v1/vendor/rma/{mac}/arrived", null, LicensingApp.VendorKey)).StatusCode);
        return (await Api.Json(await _api.SendAsync(HttpMethod.Post, $"/api/v1/vendor/rma/{mac}/reship", null, LicensingApp.VendorKey)))["freedProjectId"]!.GetValue<string>();
    }

    private async Task<JsonArray> PoolAsync(DeviceCompany company, string projectId) =>
        (await Api.Json(await _api.SendAsync(HttpMethod.Get, $"{company.Base}/projects/{projectId}/free-licenses", null, company.Token))).AsArray();

    [Fact]
    public async Task R_V6_conversion_costs_a_year_of_SSC_per_unit_and_a_lot_under_SSA_converts_to_the_chosen_version()
    {
        node.Clock.SetDay(new DateOnly(2031, 9, 1));
        var company = await DeviceCompany.CreateAsync(_api);
        var ssaProject = await company.ProjectAsync("Under SSA");
        await company.FundAsync(new() { ["PBX-PBX7#15"] = 1 });
        await company.FundAsync(new() { ["PBX-PBX7#15"] = 1, ["SSC"] = 20_000 }, ssaProject);
        var (plain, _) = await company.DeviceAsync("IP6000");
        var (covered, _) = await company.DeviceAsync("IP6000", projectId: ssaProject);
        foreach (var mac in new[] { plain, covered })
        {
            var added = await company.PostAsync($"/devices/{mac}/licenses", new { version = "V7", licenses = new Dictionary<string, int> { ["PBX-PBX7#15"] = 1 } });
            Assert.True(added.IsSuccessStatusCode, await added.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        }

        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Put, $"{company.Base}/projects/{ssaProject}/ssa", new { endDate = "2033-12-31" }, company.Token)).StatusCode);
        var freed = await ReshipAsync(company, plain);
        Assert.Equal(freed, await ReshipAsync(company, covered));

        // The list shows bind date, SSA end and external key of each lot.
        var pool = await PoolAsync(company, freed);
        var plainLot = pool.Single(l => l!["ssaEndDate"] is null)!;
        var coveredLot = pool.Single(l => l!["ssaEndDate"] is not null)!;
        Assert.Equal("2033-12-31", coveredLot["ssaEndDate"]!.GetValue<string>());
        Assert.Equal("2031-09-01", plainLot["bindDate"]!.GetValue<string>());
        Assert.True(plainLot.AsObject().ContainsKey("externalKey"));
        await company.FundAsync(new() { ["SSC"] = 1_000 }, freed);

        // A lot not under SSA converts only in its own version; nothing changes.
        await Api.AssertProblem(await company.PostAsync($"/projects/{freed}/free-licenses/convert", new { lotIds = new[] { plainLot["lotId"]!.GetValue<string>() }, version = "V8" }),
            (HttpStatusCode)422, "VersionNotOffered");
        // A lot under SSA cannot reach a version released after its SSA end (none here) or before its own.
        await Api.AssertProblem(await company.PostAsync($"/projects/{freed}/free-licenses/convert", new { lotIds = new[] { coveredLot["lotId"]!.GetValue<string>() }, version = "V6" }),
            (HttpStatusCode)422, "VersionNotOffered");
        Assert.Equal(2, (await PoolAsync(company, freed)).Count);
        Assert.Equal(1_000, await company.BalanceOfAsync("SSC", freed));

        // Under SSA, to V13: the V7 package (15 ports) becomes the cheapest V13 port packages with 15 ports; one year of SSC (40) is paid.
        var converted = await company.PostAsync($"/projects/{freed}/free-licenses/convert", new { lotIds = new[] { coveredLot["lotId"]!.GetValue<string>() }, version = "V13" });
        Assert.Equal(HttpStatusCode.OK, converted.StatusCode);
        Assert.Equal(3, await company.BalanceOfAsync("PBX-Port8*5", freed));
        Assert.Equal(0, await company.BalanceOfAsync("PBX-PBX7#15", freed));
        Assert.Equal(1_000 - 40, await company.BalanceOfAsync("SSC", freed));
        await company.AssertAuditBalancedAsync();

        // Without a version: the lot's own type, SSA and external key dropped (a balance has neither).
        Assert.Equal(HttpStatusCode.OK, (await company.PostAsync($"/projects/{freed}/free-licenses/convert", new { lotIds = new[] { plainLot["lotId"]!.GetValue<string>() } })).StatusCode);
        Assert.Equal(1, await company.BalanceOfAsync("PBX-PBX7#15", freed));
        Assert.Equal(1_000 - 80, await company.BalanceOfAsync("SSC", freed));
        Assert.Empty(await PoolAsync(company, freed));
        await company.AssertAuditBalancedAsync();
        Assert.Contains("FreeLicensesConverted", (await company.HistoryAsync()).Select(e => e["action"]!.GetValue<string>()));
    }
}
