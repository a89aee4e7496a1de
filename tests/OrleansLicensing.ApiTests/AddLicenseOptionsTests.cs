using System.Net;
using System.Text.Json.Nodes;

namespace OrleansLicensing.ApiTests;

/// <summary>The options of adding licenses from balance (R-L2): SSA option, purchase on credit, countCurrent, consistency.</summary>
public sealed class AddLicenseOptionsTests(DeviceOpsApp node) : IClassFixture<DeviceOpsApp>
{
    private const string Port8x20 = "PBX-Port8*20";
    private const string Pbx7 = "PBX-PBX7#15";
    private const string Relay = "Relay-PRI";

    private readonly Api _api = new(node.App.CreateClient());

    private static Dictionary<string, int> L(params (string Type, int Units)[] entries) => entries.ToDictionary(e => e.Type, e => e.Units);

    [Fact]
    public async Task R_L2_ssa_option_is_quoted_on_dry_run_and_paid_from_the_SSC_balance_in_the_same_transaction()
    {
        node.Clock.SetDay(new DateOnly(2031, 1, 10));
        var company = await DeviceCompany.CreateAsync(_api);
        await company.FundAsync(L((Port8x20, 3), (Relay, 2), ("SSC", 100)));
        var (mac, _) = await company.DeviceAsync();
        var body = new { version = "V13", licenses = L((Port8x20, 1), (Relay, 1)), ssaEndDate = "2032-01-10", dryRun = true };

        // A year from today, paid once: 54 + 10 SSC. The dry run changes nothing.
        var quote = await Api.Json(await company.PostAsync($"/devices/{mac}/licenses", body));
        Assert.Equal(64, quote["ssa"]!["totalSsc"]!.GetValue<long>());
        Assert.Equal("2032-01-10", quote["ssa"]!["endDate"]!.GetValue<string>());
        Assert.All(quote["ssa"]!["lots"]!.AsArray(), lot => Assert.Equal(365, lot!["daysOnce"]!.GetValue<int>()));
        Assert.Equal(100, await company.BalanceOfAsync("SSC"));
        Assert.Empty(await company.LotsAsync(mac));

        var confirmed = await company.PostAsync($"/devices/{mac}/licenses", body with { dryRun = false });
        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        Assert.All(await company.LotsAsync(mac), lot => Assert.Equal("2032-01-10", lot!["ssaEndDate"]!.GetValue<string>()));
        Assert.Equal(36, await company.BalanceOfAsync("SSC"));
        Assert.Equal(2, await company.BalanceOfAsync(Port8x20));

        // A type can opt out; a short SSC balance refuses the whole add (nothing bound, nothing debited).
        var optOut = await Api.Json(await company.PostAsync($"/devices/{mac}/licenses", new { version = "V13", licenses = L((Relay, 1)), ssaEndDate = "2032-01-10", ssaExcludedTypes = new[] { Relay } }));
        Assert.Equal(0, optOut["ssa"]!["totalSsc"]!.GetValue<long>());
        Assert.Single(await company.LotsAsync(mac), l => l!["ssaEndDate"] is null);
        await Api.AssertProblem(await company.PostAsync($"/devices/{mac}/licenses", new { version = "V13", licenses = L((Port8x20, 1)), ssaEndDate = "2033-01-10" }), HttpStatusCode.Conflict, "InsufficientSsc");
        Assert.Equal(2, await company.BalanceOfAsync(Port8x20));
        Assert.Equal(36, await company.BalanceOfAsync("SSC"));
        Assert.Equal(3, (await company.LotsAsync(mac)).Count);

        // Bad options are 4xx with nothing applied.
        await Api.AssertProblem(await company.PostAsync($"/devices/{mac}/licenses", new { version = "V13", licenses = L((Port8x20, 1)), ssaEndDate = "2030-01-01" }), HttpStatusCode.BadRequest, "SsaEndInPast");
        await Api.AssertProblem(await company.PostAsync($"/devices/{mac}/licenses", new { version = "V13", licenses = L((Port8x20, 1)), ssaEndDate = "next year" }), HttpStatusCode.BadRequest, "InvalidDate");
        await Api.AssertProblem(await company.PostAsync($"/devices/{mac}/licenses", new { version = "V13", licenses = L((Port8x20, 1)), ssaEndDate = "project" }), HttpStatusCode.BadRequest, "ValidationFailed");
        Assert.Equal(2, await company.BalanceOfAsync(Port8x20));
        await company.AssertAuditBalancedAsync();
    }

    [Fact]
    public async Task R_L2_ssa_option_project_takes_the_projects_SSA_end()
    {
        node.Clock.SetDay(new DateOnly(2031, 2, 1));
        var company = await DeviceCompany.CreateAsync(_api);
        await company.FundAsync(L((Port8x20, 2), ("SSC", 500)));
        var (mac, _) = await company.DeviceAsync();
        var ssa = await _api.SendAsync(HttpMethod.Put, $"{company.Base}/projects/{company.ProjectId}/ssa", new { endDate = "2032-02-01" }, company.Token);
        Assert.Equal(HttpStatusCode.OK, ssa.StatusCode);

        var added = await Api.Json(await company.PostAsync($"/devices/{mac}/licenses", new { version = "V13", licenses = L((Port8x20, 1)), ssaEndDate = "project" }));
        Assert.Equal("2032-02-01", added["ssa"]!["endDate"]!.GetValue<string>());
        Assert.Equal(54, added["ssa"]!["totalSsc"]!.GetValue<long>());
        Assert.Equal("2032-02-01", Assert.Single(await company.LotsAsync(mac))!["ssaEndDate"]!.GetValue<string>());
        Assert.Equal(446, await company.BalanceOfAsync("SSC"));
        await company.AssertAuditBalancedAsync();
    }

    [Fact]
    public async Task R_L2_buy_on_credit_needs_the_right_mints_the_licenses_and_records_the_debt()
    {
        node.Clock.SetDay(new DateOnly(2031, 3, 1));
        var company = await DeviceCompany.CreateAsync(_api);
        var (mac, _) = await company.DeviceAsync();
        var memberEmail = Api.NewEmail();
        var member = await _api.RegisterAndLoginAsync(memberEmail);
        Assert.Equal(HttpStatusCode.Created, (await _api.SendAsync(HttpMethod.Post, $"{company.Base}/users", new { email = memberEmail, rights = new[] { "MoveLicenses" } }, company.Token)).StatusCode);

        var body = new { version = "V13", licenses = L((Port8x20, 2)), buyOnCredit = true, orderNumber = "PO-77", ssaEndDate = "2032-03-01" };
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Post, $"{company.Base}/devices/{mac}/licenses", body, member), HttpStatusCode.Forbidden, "CreditNotAllowed");
        await Api.AssertProblem(await company.PostAsync($"/devices/{mac}/licenses", new { version = "V13", licenses = L((Port8x20, 2)), buyOnCredit = true }), HttpStatusCode.BadRequest, "ValidationFailed");
        Assert.Empty(await company.LotsAsync(mac));

        // Without any balance: bought on credit, licenses and SSC alike, in one transaction.
        var bought = await company.PostAsync($"/devices/{mac}/licenses", body);
        Assert.Equal(HttpStatusCode.OK, bought.StatusCode);
        var result = await Api.Json(bought);
        Assert.True(result["onCredit"]!.GetValue<bool>());
        Assert.True(result["ssa"]!["onCredit"]!.GetValue<bool>());
        Assert.Empty(result["debited"]!.AsArray());
        Assert.Equal(2, await company.UnitsOnAsync(mac, Port8x20));
        Assert.Equal(0, await company.BalanceOfAsync(Port8x20));

        var debts = (await Api.Json(await _api.SendAsync(HttpMethod.Get, $"{company.Base}/credit", null, company.Token))).AsArray();
        Assert.Equal(2, debts.Count);
        Assert.All(debts, d => Assert.Equal("PO-77", d!["orderNumber"]!.GetValue<string>()));
        Assert.Contains(debts, d => d!["licenses"]![Port8x20]?.GetValue<int>() == 2);
        // 2031-03-01 to 2032-03-01 is 366 days: 2 × 54 × 366/365, rounded up.
        Assert.Equal(109, result["ssa"]!["totalSsc"]!.GetValue<long>());
        Assert.Contains(debts, d => d!["licenses"]!["SSC"]?.GetValue<int>() == 109);
        await company.AssertAuditBalancedAsync();
    }

    [Fact]
    public async Task R_L2_countCurrent_counts_V7_lots_toward_a_V8_configuration()
    {
        node.Clock.SetDay(new DateOnly(2031, 4, 1));
        var company = await DeviceCompany.CreateAsync(_api);
        await company.FundAsync(L((Pbx7, 2), ("PBX-Voicemail", 60), (Port8x20, 1)));
        var (mac, _) = await company.DeviceAsync();
        Assert.Equal(HttpStatusCode.OK, (await company.PostAsync($"/devices/{mac}/licenses", new { version = "V7", licenses = L((Pbx7, 2)) })).StatusCode);

        // V8 voicemail for the 30 ports of the V7 packages: only when the V7 lots count.
        var alone = await Api.AssertProblem(await company.PostAsync($"/devices/{mac}/licenses", new { version = "V8", licenses = L(("PBX-Voicemail", 30)) }), HttpStatusCode.UnprocessableEntity, "ConsistencyViolation");
        Assert.Contains("R-L2", alone["rule"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(60, await company.BalanceOfAsync("PBX-Voicemail"));
        Assert.Equal(HttpStatusCode.OK, (await company.PostAsync($"/devices/{mac}/licenses", new { version = "V8", licenses = L(("PBX-Voicemail", 30)), countCurrent = true })).StatusCode);
        Assert.Equal(30, await company.UnitsOnAsync(mac, "PBX-Voicemail"));

        // A V8 package of its own makes a V8 configuration of 20 ports, with countCurrent 50.
        await Api.AssertProblem(await company.PostAsync($"/devices/{mac}/licenses", new { version = "V8", licenses = L((Port8x20, 1)), countCurrent = true }), HttpStatusCode.UnprocessableEntity, "ConsistencyViolation");
        Assert.Equal(HttpStatusCode.OK, (await company.PostAsync($"/devices/{mac}/licenses", new { version = "V8", licenses = L((Port8x20, 1), ("PBX-Voicemail", 20)), countCurrent = true })).StatusCode);
        await company.AssertAuditBalancedAsync();
    }

    [Theory]
    [InlineData("IP6000", "Relay-PRI=3", "Relay-PRI=2")]
    [InlineData("IP6000", "PBX-Port8*20=1", "PBX-Standby=19")]
    [InlineData("IP6000", "PBX-Port8*20=1", "PBX-Registration=21")]
    [InlineData("IP1200", "DECT-Multi-Cell-Ari=1", "Relay-PRI=1")]
    public async Task R_L2_consistency_per_device_type_is_a_ConsistencyViolation_naming_the_rule(string deviceType, string first, string second)
    {
        node.Clock.SetDay(new DateOnly(2031, 5, 1));
        var company = await DeviceCompany.CreateAsync(_api);
        await company.FundAsync(L(("Relay-PRI", 10), (Port8x20, 5), ("PBX-Standby", 40), ("PBX-Registration", 40), ("DECT-Multi-Cell-Ari", 2)));
        var (mac, _) = await company.DeviceAsync(deviceType);
        Assert.Equal(HttpStatusCode.OK, (await company.PostAsync($"/devices/{mac}/licenses", new { version = "V13", licenses = Parse(first) })).StatusCode);
        var before = await company.LotsAsync(mac);
        var (type, units) = Parse(second).Single();
        var balanceBefore = await company.BalanceOfAsync(type);
        Assert.True(balanceBefore >= units);

        var refused = await Api.AssertProblem(await company.PostAsync($"/devices/{mac}/licenses", new { version = "V13", licenses = Parse(second) }), HttpStatusCode.UnprocessableEntity, "ConsistencyViolation");
        Assert.Contains("R-L2", refused["rule"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(before.ToJsonString(), (await company.LotsAsync(mac)).ToJsonString());
        Assert.Equal(balanceBefore, await company.BalanceOfAsync(type));
    }

    private static Dictionary<string, int> Parse(string spec) =>
        spec.Split(';').Select(e => e.Split('=')).ToDictionary(p => p[0], p => int.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture));
}
