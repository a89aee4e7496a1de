using System.Net;
using System.Text.Json.Nodes;

namespace OrleansLicensing.ApiTests;

/// <summary>Warranty extensions (R-L7) and the V7 floating license (R-L6) over HTTP.</summary>
public sealed class WarrantyAndFloatingTests(DeviceOpsApp node) : IClassFixture<DeviceOpsApp>
{
    private const string Early = "Warranty-Early";
    private const string Late = "Warranty";
    private const string Floating = "PBX-Floating7";
    private const string Pbx7 = "PBX-PBX7#15";
    private const string Port8x20 = "PBX-Port8*20";

    private readonly Api _api = new(node.App.CreateClient());

    [Fact]
    public async Task R_L7_warranty_is_early_within_30_days_of_shipping_whole_years_at_most_four_and_never_leaves_the_device()
    {
        node.Clock.SetDay(new DateOnly(2031, 6, 10));
        var company = await DeviceCompany.CreateAsync(_api);
        await company.FundAsync(new() { [Early] = 10, [Late] = 10, [Port8x20] = 2 });
        var (mac, _) = await company.DeviceAsync("IP6000", shipDate: "2031-06-01");
        var (target, _) = await company.DeviceAsync("IP6000", shipDate: "2031-06-01");

        // Nine days after shipping: the cheaper type.
        var early = await company.PostAsync($"/devices/{mac}/warranty", new { years = 2 });
        Assert.Equal(HttpStatusCode.OK, early.StatusCode);
        var earlyBody = await Api.Json(early);
        Assert.Equal(Early, earlyBody["type"]!.GetValue<string>());
        Assert.Equal(2, earlyBody["warrantyYears"]!.GetValue<int>());
        Assert.Equal(8, await company.BalanceOfAsync(Early));

        // The 30th day after shipping is still early, the 31st is not.
        node.Clock.SetDay(new DateOnly(2031, 7, 1));
        var day30 = await company.PostAsync($"/devices/{target}/warranty", new { years = 1 });
        Assert.Equal(Early, (await Api.Json(day30))["type"]!.GetValue<string>());
        node.Clock.SetDay(new DateOnly(2031, 7, 2));
        var late = await company.PostAsync($"/devices/{mac}/warranty", new { years = 1 });
        Assert.Equal(HttpStatusCode.OK, late.StatusCode);
        Assert.Equal(Late, (await Api.Json(late))["type"]!.GetValue<string>());
        Assert.Equal(3, (await Api.Json(late))["warrantyYears"]!.GetValue<int>());
        Assert.Equal(9, await company.BalanceOfAsync(Late));

        // A fifth year is refused and changes nothing.
        var tooMany = await Api.AssertProblem(await company.PostAsync($"/devices/{mac}/warranty", new { years = 2 }), HttpStatusCode.UnprocessableEntity, "WarrantyLimitExceeded");
        Assert.Equal(9, await company.BalanceOfAsync(Late));
        Assert.Equal(3, await company.UnitsOnAsync(mac, Early) + await company.UnitsOnAsync(mac, Late));
        await Api.AssertProblem(await company.PostAsync($"/devices/{mac}/warranty", new { years = 0 }), HttpStatusCode.BadRequest, "InvalidUnits");
        await Api.AssertProblem(await company.PostAsync($"/devices/{mac}/warranty", new { years = 5 }), HttpStatusCode.BadRequest, "InvalidUnits");
        Assert.Equal(HttpStatusCode.BadRequest, (await company.PostAsync($"/devices/{mac}/warranty", new { years = 1.5 })).StatusCode);

        // The generic add route knows the rules too: no early warranty after 30 days, no fifth year.
        await Api.AssertProblem(await company.PostAsync($"/devices/{mac}/licenses", new { version = "V8", licenses = new Dictionary<string, int> { [Early] = 1 } }), HttpStatusCode.UnprocessableEntity, "ConsistencyViolation");
        await Api.AssertProblem(await company.PostAsync($"/devices/{mac}/licenses", new { version = "V8", licenses = new Dictionary<string, int> { [Late] = 2 } }), HttpStatusCode.UnprocessableEntity, "WarrantyLimitExceeded");
        Assert.Equal(7, await company.BalanceOfAsync(Early));
        Assert.Equal(9, await company.BalanceOfAsync(Late));

        // A move to another device takes everything but the warranty (R-L5), which stays.
        Assert.Equal(HttpStatusCode.OK, (await company.PostAsync($"/devices/{mac}/licenses", new { version = "V8", licenses = new Dictionary<string, int> { [Port8x20] = 1 } })).StatusCode);
        var (empty, _) = await company.DeviceAsync("IP6000", shipDate: "2031-06-01");
        var moved = await company.PostAsync($"/devices/{mac}/licenses/move", new { targetMac = empty });
        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        Assert.Equal(1, await company.UnitsOnAsync(empty, Port8x20));
        Assert.Equal(0, await company.UnitsOnAsync(empty, Early) + await company.UnitsOnAsync(empty, Late));
        Assert.Equal(2, await company.UnitsOnAsync(mac, Early));
        Assert.Equal(1, await company.UnitsOnAsync(mac, Late));
        Assert.Equal(0, await company.UnitsOnAsync(mac, Port8x20));
        Assert.Contains("R-L7", tooMany["rule"]!.ToJsonString(), StringComparison.Ordinal);
        await company.AssertAuditBalancedAsync();
    }

    [Fact]
    public async Task R_L7_project_warranty_extends_every_device_with_a_result_per_device()
    {
        node.Clock.SetDay(new DateOnly(2031, 9, 10));
        var company = await DeviceCompany.CreateAsync(_api);
        var project = await company.ProjectAsync("Warranty fleet");
        await company.FundAsync(new() { [Early] = 3, [Late] = 10 }, project);
        var (fresh, _) = await company.DeviceAsync("IP222", shipDate: "2031-09-01", projectId: project);
        var (old, _) = await company.DeviceAsync("IP1200", shipDate: "2030-01-01", projectId: project);
        var (full, _) = await company.DeviceAsync("IP222", shipDate: "2030-01-01", projectId: project);
        Assert.Equal(HttpStatusCode.OK, (await company.PostAsync($"/devices/{full}/warranty", new { years = 4 })).StatusCode);
        Assert.Equal(6, await company.BalanceOfAsync(Late, project));

        var response = await company.PostAsync($"/projects/{project}/warranty", new { years = 1 });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var results = (await Api.Json(response))["results"]!.AsArray().ToDictionary(r => r!["mac"]!.GetValue<string>(), r => r!);
        Assert.Equal(3, results.Count);
        Assert.Equal("added", results[fresh]["status"]!.GetValue<string>());
        Assert.Equal(Early, results[fresh]["type"]!.GetValue<string>());
        Assert.Equal("added", results[old]["status"]!.GetValue<string>());
        Assert.Equal(Late, results[old]["type"]!.GetValue<string>());
        Assert.Equal("error", results[full]["status"]!.GetValue<string>());
        Assert.Equal("WarrantyLimitExceeded", results[full]["code"]!.GetValue<string>());
        Assert.Equal(2, await company.BalanceOfAsync(Early, project));
        Assert.Equal(5, await company.BalanceOfAsync(Late, project));
        Assert.Equal(4, await company.UnitsOnAsync(full, Late));

        await Api.AssertProblem(await company.PostAsync($"/projects/{project}/warranty", new { years = 0 }), HttpStatusCode.BadRequest, "InvalidUnits");
        await company.AssertAuditBalancedAsync();
    }

    [Fact]
    public async Task R_L6_floating_license_excludes_V7_pbx_licenses_on_the_device_and_vice_versa()
    {
        node.Clock.SetDay(new DateOnly(2031, 10, 1));
        var company = await DeviceCompany.CreateAsync(_api);
        await company.FundAsync(new() { [Floating] = 2, [Pbx7] = 3, [Port8x20] = 1 });
        var (withPbx, _) = await company.DeviceAsync("IP6000");
        var (slave, _) = await company.DeviceAsync("IP6000");
        var (other, _) = await company.DeviceAsync("IP800");

        // V7 PBX licenses first: no floating license.
        Assert.Equal(HttpStatusCode.OK, (await company.PostAsync($"/devices/{withPbx}/licenses", new { version = "V7", licenses = new Dictionary<string, int> { [Pbx7] = 1 } })).StatusCode);
        var conflict = await Api.AssertProblem(await company.PostAsync($"/devices/{withPbx}/floating-license", null), HttpStatusCode.Conflict, "FloatingLicenseConflict");
        Assert.Contains("R-L6", conflict["rule"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(2, await company.BalanceOfAsync(Floating));
        Assert.Equal(0, await company.UnitsOnAsync(withPbx, Floating));

        // Floating license first: no V7 PBX licenses; V8 licenses are no conflict; one per device.
        var added = await company.PostAsync($"/devices/{slave}/floating-license", null);
        Assert.Equal(HttpStatusCode.OK, added.StatusCode);
        var lot = Assert.Single((await Api.Json(added))["lots"]!.AsArray(), l => l!["type"]!.GetValue<string>() == Floating)!;
        Assert.Equal("V7", lot["version"]!.GetValue<string>());
        Assert.Equal(1, await company.BalanceOfAsync(Floating));
        await Api.AssertProblem(await company.PostAsync($"/devices/{slave}/licenses", new { version = "V7", licenses = new Dictionary<string, int> { [Pbx7] = 1 } }), HttpStatusCode.Conflict, "FloatingLicenseConflict");
        Assert.Equal(2, await company.BalanceOfAsync(Pbx7));
        await Api.AssertProblem(await company.PostAsync($"/devices/{slave}/floating-license", null), HttpStatusCode.UnprocessableEntity, "ConsistencyViolation");
        Assert.Equal(HttpStatusCode.OK, (await company.PostAsync($"/devices/{slave}/licenses", new { version = "V8", licenses = new Dictionary<string, int> { [Port8x20] = 1 } })).StatusCode);

        // Delete: the floating lot goes to the project's free pool; then V7 PBX licenses are allowed.
        var deleted = await company.DeleteAsync($"/devices/{slave}/floating-license");
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal(0, await company.UnitsOnAsync(slave, Floating));
        await Api.AssertProblem(await company.DeleteAsync($"/devices/{slave}/floating-license"), HttpStatusCode.NotFound, "NotFound");
        Assert.Equal(HttpStatusCode.OK, (await company.PostAsync($"/devices/{slave}/licenses", new { version = "V7", licenses = new Dictionary<string, int> { [Pbx7] = 1 } })).StatusCode);

        // The freed lot binds to another device from the free pool, keeping its bind date (R-L4).
        var pool = await _api.SendAsync(HttpMethod.Get, $"{company.Base}/projects/{company.ProjectId}/free-licenses", null, company.Token);
        var free = Assert.Single((await Api.Json(pool)).AsArray(), l => l!["type"]!.GetValue<string>() == Floating)!;
        var fromFree = await company.PostAsync($"/devices/{other}/licenses/from-free", new { lotIds = new[] { free["lotId"]!.GetValue<string>() } });
        Assert.Equal(HttpStatusCode.OK, fromFree.StatusCode);
        Assert.Equal(1, await company.UnitsOnAsync(other, Floating));
        Assert.Equal(free["bindDate"]!.GetValue<string>(), (await company.LotsAsync(other)).Single(l => l!["type"]!.GetValue<string>() == Floating)!["bindDate"]!.GetValue<string>());
        await company.AssertAuditBalancedAsync();
    }
}
