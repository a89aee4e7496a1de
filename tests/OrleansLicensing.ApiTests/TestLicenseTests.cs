using System.Net;
using System.Text.Json.Nodes;

namespace OrleansLicensing.ApiTests;

/// <summary>Test licenses over HTTP (R-L8): one per device, three calendar months from the first download, seen by the poll, no balance.</summary>
public sealed class TestLicenseTests(DeviceOpsApp node) : IClassFixture<DeviceOpsApp>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private readonly Api _api = new(node.App.CreateClient());

    [Fact]
    public async Task R_L8_test_license_is_polled_for_three_months_from_the_first_download_then_gone_and_a_new_request_is_refused()
    {
        var start = new DateTimeOffset(2031, 6, 10, 9, 0, 0, TimeSpan.Zero);
        node.Clock.Set(start);
        var company = await DeviceCompany.CreateAsync(_api);
        var (mac, secret) = await company.DeviceAsync();
        await company.FundAsync(new() { ["PBX-Port8"] = 5 });
        Assert.Null(await PolledTestLicenseAsync(mac, secret));
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Get, $"{company.Base}/devices/{mac}/test-license", null, company.Token), HttpStatusCode.NotFound, "NotFound");

        var first = await company.PostAsync($"/devices/{mac}/test-license", new { version = "V11", slave = false, pbxUnits = 20 });
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var issued = await Api.Json(first);
        var until = issued["validUntil"]!.GetValue<DateTimeOffset>();
        Assert.InRange(until - start.AddMonths(3), TimeSpan.Zero, TimeSpan.FromMinutes(1));
        Assert.False(issued["expired"]!.GetValue<bool>());

        var polled = await PolledTestLicenseAsync(mac, secret);
        Assert.NotNull(polled);
        Assert.Equal("V11", polled["version"]!.GetValue<string>());
        Assert.False(polled["slave"]!.GetValue<bool>());
        Assert.Equal(20, polled["pbxUnits"]!.GetValue<int>());
        Assert.Equal(until, polled["validUntil"]!.GetValue<DateTimeOffset>());

        // Two months later: downloaded again, the same license (the first request's terms and end).
        node.Clock.Set(start.AddMonths(2));
        var again = await company.PostAsync($"/devices/{mac}/test-license", new { version = "V12", slave = true });
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var second = await Api.Json(again);
        Assert.Equal("V11", second["version"]!.GetValue<string>());
        Assert.Equal(until, second["validUntil"]!.GetValue<DateTimeOffset>());

        // No balance used, nothing minted: the balance is untouched and the audit balances.
        Assert.Equal(5, await company.BalanceOfAsync("PBX-Port8"));
        await company.AssertAuditBalancedAsync();
        Assert.Empty(await company.LotsAsync(mac));

        // Three months later: the reminder ends it, the poll no longer carries it, a new request is refused.
        node.Clock.Set(start.AddMonths(3).AddMinutes(2));
        var deadline = DateTime.UtcNow + Patience;
        while (await PolledTestLicenseAsync(mac, secret) is not null)
        {
            Assert.True(DateTime.UtcNow < deadline, "the poll still carries the test license after its three months");
            await Task.Delay(200, TestContext.Current.CancellationToken);
        }

        await Api.AssertProblem(await company.PostAsync($"/devices/{mac}/test-license", new { version = "V11", slave = false, pbxUnits = 20 }), HttpStatusCode.Conflict, "TestLicenseUsed");
        var view = await Api.Json(await _api.SendAsync(HttpMethod.Get, $"{company.Base}/devices/{mac}/test-license", null, company.Token));
        Assert.True(view["expired"]!.GetValue<bool>());
        Assert.Null(await PolledTestLicenseAsync(mac, secret));
        Assert.Equal(5, await company.BalanceOfAsync("PBX-Port8"));

        var actions = await company.DeviceActionsAsync(mac);
        Assert.Equal(["TestLicenseIssued", "TestLicenseExpired"], actions.Where(a => a.StartsWith("TestLicense", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task R_L8_test_license_request_is_checked_and_a_slave_names_no_pbx_units()
    {
        node.Clock.Set(new DateTimeOffset(2031, 7, 1, 9, 0, 0, TimeSpan.Zero));
        var company = await DeviceCompany.CreateAsync(_api);
        var (mac, secret) = await company.DeviceAsync();

        await Api.AssertProblem(await company.PostAsync($"/devices/{mac}/test-license", new { version = "V99", slave = false, pbxUnits = 5 }), (HttpStatusCode)422, "VersionNotOffered");
        await Api.AssertProblem(await company.PostAsync($"/devices/{mac}/test-license", new { version = "V11", slave = false }), HttpStatusCode.BadRequest, "InvalidUnits");
        await Api.AssertProblem(await company.PostAsync($"/devices/{mac}/test-license", new { version = "V11", slave = true, pbxUnits = 4 }), HttpStatusCode.BadRequest, "InvalidUnits");
        Assert.Null(await PolledTestLicenseAsync(mac, secret));

        var slave = await company.PostAsync($"/devices/{mac}/test-license", new { version = "V10", slave = true });
        Assert.Equal(HttpStatusCode.OK, slave.StatusCode);
        var polled = await PolledTestLicenseAsync(mac, secret);
        Assert.True(polled!["slave"]!.GetValue<bool>());
        Assert.Null(polled["pbxUnits"]);

        // Another company cannot reach the device's test license.
        var stranger = await DeviceCompany.CreateAsync(_api, "Stranger");
        await Api.AssertProblem(await stranger.PostAsync($"/devices/{mac}/test-license", new { version = "V10", slave = true }), HttpStatusCode.NotFound, "NotFound");
    }

    private async Task<JsonNode?> PolledTestLicenseAsync(string mac, string secret)
    {
        var response = await _api.PollAsync(mac, secret);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await Api.Json(response);
        Assert.True(body.AsObject().ContainsKey("testLicense"));
        return body["testLicense"];
    }
}
