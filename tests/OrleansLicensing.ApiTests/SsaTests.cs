using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;

namespace OrleansLicensing.ApiTests;

/// <summary>An in-memory node whose clock the tests set (R-S*), with expiry checks every second (R-S5).</summary>
public sealed class ClockedApp : IAsyncLifetime
{
    public TestClock Clock { get; } = new();

    public LicensingApp App { get; }

    public ClockedApp()
    {
        App = new LicensingApp("Memory", testServices: services => services.AddKeyedSingleton<TimeProvider>(OrleansLicensing.Grains.LicensingClock.Key, Clock), settings: SsaTests.FastExpiryChecks);
    }

    public ValueTask InitializeAsync()
    {
        App.CreateClient().Dispose();
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync() => await App.DisposeAsync();
}

/// <summary>A project's SSA over HTTP: quote, preview, confirm, credit (R-S1..R-S4).</summary>
public sealed class SsaTests(ClockedApp node) : IClassFixture<ClockedApp>
{
    public static readonly IReadOnlyDictionary<string, string> FastExpiryChecks = new Dictionary<string, string> { ["Mail:SsaExpiryCheckPeriod"] = "00:00:01" };

    private const string Port8x20 = "PBX-Port8*20";
    private const string Pbx7 = "PBX-PBX7#15";

    private readonly Api _api = new(node.App.CreateClient());

    private static DateOnly D(string iso) => DateOnly.ParseExact(iso, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A company whose default project holds one device with <paramref name="units"/> of <paramref name="type"/> bound on <paramref name="bindDay"/>.</summary>
    private async Task<Setup> ProjectWithLotsAsync(DateOnly bindDay, string type, string version, int units)
    {
        node.Clock.SetDay(bindDay);
        var email = Api.NewEmail().ToLowerInvariant();
        var token = await _api.RegisterAndLoginAsync(email);
        var (company, project) = await _api.CreateCompanyAsync(token, "SSA customer");
        var (mac, _) = await _api.RegisterHardwareAsync(Api.NewMacSuffix());
        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{company}/projects/{project}/devices", new { macs = new[] { mac } }, token)).StatusCode);
        await RedeemAsync(token, company, project, new Dictionary<string, int> { [type] = units });
        var bound = await _api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{company}/devices/{mac}/licenses", new { version, licenses = new Dictionary<string, int> { [type] = units } }, token);
        Assert.Equal(HttpStatusCode.OK, bound.StatusCode);
        return new Setup(email, token, company, project, mac);
    }

    private async Task RedeemAsync(string token, string company, string project, Dictionary<string, int> licenses)
    {
        var key = await _api.MintKeyAsync(licenses);
        Assert.Equal(HttpStatusCode.Created, (await _api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{company}/projects/{project}/activations", new { key }, token)).StatusCode);
    }

    /// <summary>Moves the clock to <paramref name="day"/> and signs in again (tokens expire with the clock).</summary>
    private async Task<string> MoveToAsync(DateOnly day, string email)
    {
        node.Clock.SetDay(day);
        return await _api.LoginAsync(email);
    }

    private Task<HttpResponseMessage> PutSsaAsync(Setup s, string token, object body, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/companies/{s.Company}/projects/{s.Project}/ssa") { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (idempotencyKey is not null)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", idempotencyKey);
        }

        return _api.Http.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private async Task<JsonNode> DeviceLotAsync(Setup s, string token, string type) =>
        (await Api.Json(await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{s.Company}/devices/{s.Mac}", null, token)))["licenses"]!.AsArray()
            .Single(l => l!["type"]!.GetValue<string>() == type)!;

    private async Task<JsonNode> ProjectAsync(Setup s, string token) =>
        await Api.Json(await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{s.Company}/projects/{s.Project}", null, token));

    private async Task<int> SscBalanceAsync(Setup s, string token) =>
        (await _api.BalanceAsync(token, s.Company, s.Project))["SSC"]?.GetValue<int>() ?? 0;

    [Fact]
    public async Task R_S3_seed_example_through_the_API_68_days_twice_833_once_and_confirming_debits_the_SSC_balance()
    {
        // PBX-Port8*20 is a V8 type and V8 was released on 2009-12-07: on 2009-06-24 the API
        // (rightly, R-V1) offers no V8 licenses. The seed's day counts do not depend on the type,
        // so the example runs with the V7 package, current on those days.
        var s = await ProjectWithLotsAsync(D("2009-06-24"), Pbx7, "V7", 20);
        var token = await MoveToAsync(D("2009-08-31"), s.Email);

        var preview = await _api.SendAsync(HttpMethod.Put, $"/api/v1/companies/{s.Company}/projects/{s.Project}/ssa", new { endDate = "2011-12-12", dryRun = true }, token);
        Assert.Equal(HttpStatusCode.OK, preview.StatusCode);
        var quote = await Api.Json(preview);
        var lot = Assert.Single(quote["lots"]!.AsArray())!;
        Assert.Equal("2009-06-24", lot["bindDate"]!.GetValue<string>());
        Assert.Equal("2009-06-24", lot["coverageStart"]!.GetValue<string>());
        Assert.Equal(68, lot["daysTwice"]!.GetValue<int>());
        Assert.Equal(833, lot["daysOnce"]!.GetValue<int>());
        Assert.Equal(2.6548m, lot["multiplier"]!.GetValue<decimal>());

        // 20 · 40 · (2·68 + 833) / 365 = 2123.8… → 2124 SSC.
        Assert.Equal(2124, lot["ssc"]!.GetValue<long>());
        Assert.Equal(2124, quote["totalSsc"]!.GetValue<long>());
        Assert.Equal(s.Mac, lot["mac"]!.GetValue<string>());
        Assert.False(lot["excluded"]!.GetValue<bool>());
        Assert.True(quote["confirmable"]!.GetValue<bool>());
        Assert.False(quote["confirmed"]!.GetValue<bool>());
        Assert.Equal("2009-08-31", quote["calculationDate"]!.GetValue<string>());

        // The preview changed nothing.
        Assert.Null((await ProjectAsync(s, token))["ssaEndDate"]?.GetValue<string>());
        Assert.Null((await DeviceLotAsync(s, token, Pbx7))["ssaEndDate"]?.GetValue<string>());

        await RedeemAsync(token, s.Company, s.Project, new Dictionary<string, int> { ["SSC"] = 3000 });
        var confirmed = await PutSsaAsync(s, token, new { endDate = "2011-12-12" }, "ssa-seed-1");
        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        var paid = await Api.Json(confirmed);
        Assert.True(paid["confirmed"]!.GetValue<bool>());
        Assert.False(paid["onCredit"]!.GetValue<bool>());
        Assert.Equal(2124, paid["totalSsc"]!.GetValue<long>());
        Assert.Equal(3000 - 2124, await SscBalanceAsync(s, token));
        Assert.Equal("2011-12-12", (await ProjectAsync(s, token))["ssaEndDate"]!.GetValue<string>());
        Assert.Equal("2011-12-12", (await DeviceLotAsync(s, token, Pbx7))["ssaEndDate"]!.GetValue<string>());

        // A retried confirm with the same key answers the first result and pays once.
        var retried = await PutSsaAsync(s, token, new { endDate = "2011-12-12" }, "ssa-seed-1");
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        Assert.Equal(2124, (await Api.Json(retried))["totalSsc"]!.GetValue<long>());
        Assert.Equal(3000 - 2124, await SscBalanceAsync(s, token));

        // Extending later pays only from the current SSA end on (R-S2: coverage starts there).
        var extension = await Api.Json(await _api.SendAsync(HttpMethod.Put, $"/api/v1/companies/{s.Company}/projects/{s.Project}/ssa", new { endDate = "2012-12-12", dryRun = true }, token));
        var extended = Assert.Single(extension["lots"]!.AsArray())!;
        Assert.Equal("2011-12-12", extended["coverageStart"]!.GetValue<string>());
        Assert.Equal(0, extended["daysTwice"]!.GetValue<int>());
        Assert.Equal(366, extended["daysOnce"]!.GetValue<int>());
    }

    [Fact]
    public async Task R_S3_seed_example_20_units_of_PBX_Port8x20_for_a_year_cost_1080_SSC_through_the_API()
    {
        var s = await ProjectWithLotsAsync(D("2021-01-01"), Port8x20, "V13", 20);
        var token = await MoveToAsync(D("2021-01-01"), s.Email);
        await RedeemAsync(token, s.Company, s.Project, new Dictionary<string, int> { ["SSC"] = 1080 });

        var confirmed = await Api.Json(await PutSsaAsync(s, token, new { endDate = "2022-01-01" }));
        var lot = Assert.Single(confirmed["lots"]!.AsArray())!;
        Assert.Equal(365, lot["daysOnce"]!.GetValue<int>());
        Assert.Equal(1.0m, lot["multiplier"]!.GetValue<decimal>());
        Assert.Equal(1080, confirmed["totalSsc"]!.GetValue<long>());
        Assert.True(confirmed["confirmed"]!.GetValue<bool>());
        Assert.Equal(0, await SscBalanceAsync(s, token));
        Assert.Equal("2022-01-01", (await DeviceLotAsync(s, token, Port8x20))["ssaEndDate"]!.GetValue<string>());
    }

    [Fact]
    public async Task R_S1_a_quote_for_another_calculation_date_is_a_preview_and_cannot_be_confirmed()
    {
        var s = await ProjectWithLotsAsync(D("2009-06-24"), Pbx7, "V7", 20);
        var token = await MoveToAsync(D("2009-08-31"), s.Email);
        await RedeemAsync(token, s.Company, s.Project, new Dictionary<string, int> { ["SSC"] = 5000 });

        var preview = await Api.Json(await PutSsaAsync(s, token, new { endDate = "2011-12-12", calculationDate = "2009-09-30", dryRun = true }));
        Assert.False(preview["confirmable"]!.GetValue<bool>());
        Assert.False(preview["confirmed"]!.GetValue<bool>());
        var lot = Assert.Single(preview["lots"]!.AsArray())!;
        Assert.Equal(98, lot["daysTwice"]!.GetValue<int>());
        Assert.Equal(803, lot["daysOnce"]!.GetValue<int>());

        await Api.AssertProblem(await PutSsaAsync(s, token, new { endDate = "2011-12-12", calculationDate = "2009-09-30" }), HttpStatusCode.Conflict, "QuoteNotConfirmable");
        Assert.Equal(5000, await SscBalanceAsync(s, token));
        Assert.Null((await ProjectAsync(s, token))["ssaEndDate"]?.GetValue<string>());
        Assert.Null((await DeviceLotAsync(s, token, Pbx7))["ssaEndDate"]?.GetValue<string>());
    }

    [Fact]
    public async Task R_S1_an_end_date_in_the_past_is_SsaEndInPast()
    {
        var s = await ProjectWithLotsAsync(D("2009-06-24"), Pbx7, "V7", 5);
        var token = await MoveToAsync(D("2009-08-31"), s.Email);
        await RedeemAsync(token, s.Company, s.Project, new Dictionary<string, int> { ["SSC"] = 5000 });

        await Api.AssertProblem(await PutSsaAsync(s, token, new { endDate = "2009-08-30" }), HttpStatusCode.BadRequest, "SsaEndInPast");
        await Api.AssertProblem(await PutSsaAsync(s, token, new { endDate = "2009-08-30", dryRun = true }), HttpStatusCode.BadRequest, "SsaEndInPast");
        await Api.AssertProblem(await PutSsaAsync(s, token, new { endDate = "2009-09-15", calculationDate = "2009-10-01", dryRun = true }), HttpStatusCode.BadRequest, "SsaEndInPast");
        await Api.AssertProblem(await PutSsaAsync(s, token, new { dryRun = true }), HttpStatusCode.BadRequest, "ValidationFailed");
        Assert.Equal(5000, await SscBalanceAsync(s, token));
        Assert.Null((await ProjectAsync(s, token))["ssaEndDate"]?.GetValue<string>());

        // Today itself is not in the past.
        Assert.True((await Api.Json(await PutSsaAsync(s, token, new { endDate = "2009-08-31" })))["confirmed"]!.GetValue<bool>());
    }

    [Fact]
    public async Task R_S4_a_short_SSC_balance_is_InsufficientSsc_and_changes_nothing()
    {
        var s = await ProjectWithLotsAsync(D("2009-06-24"), Pbx7, "V7", 20);
        var token = await MoveToAsync(D("2009-08-31"), s.Email);
        await RedeemAsync(token, s.Company, s.Project, new Dictionary<string, int> { ["SSC"] = 2123 });

        var refused = await Api.AssertProblem(await PutSsaAsync(s, token, new { endDate = "2011-12-12" }), HttpStatusCode.Conflict, "InsufficientSsc");
        Assert.Equal(["2124"], refused["required"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Equal(2123, await SscBalanceAsync(s, token));
        Assert.Null((await ProjectAsync(s, token))["ssaEndDate"]?.GetValue<string>());
        Assert.Null((await DeviceLotAsync(s, token, Pbx7))["ssaEndDate"]?.GetValue<string>());
    }

    [Fact]
    public async Task R_S1_an_excluded_lot_keeps_its_SSA_end_and_is_not_charged()
    {
        var s = await ProjectWithLotsAsync(D("2021-01-01"), Port8x20, "V13", 2);
        await RedeemAsync(s.Token, s.Company, s.Project, new Dictionary<string, int> { ["PBX-Voicemail"] = 40 });
        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{s.Company}/devices/{s.Mac}/licenses", new { version = "V13", licenses = new Dictionary<string, int> { ["PBX-Voicemail"] = 40 } }, s.Token)).StatusCode);
        var excluded = (await DeviceLotAsync(s, s.Token, "PBX-Voicemail"))["lotId"]!.GetValue<string>();
        await RedeemAsync(s.Token, s.Company, s.Project, new Dictionary<string, int> { ["SSC"] = 500 });

        // First both lots go under SSA for a year: 2·54 + 40·1 = 148 SSC.
        var first = await Api.Json(await PutSsaAsync(s, s.Token, new { endDate = "2022-01-01" }));
        Assert.Equal(2, first["lots"]!.AsArray().Count);
        Assert.Equal(148, first["totalSsc"]!.GetValue<long>());
        Assert.Equal("2022-01-01", (await DeviceLotAsync(s, s.Token, "PBX-Voicemail"))["ssaEndDate"]!.GetValue<string>());

        // The extension leaves the voicemail lot out: it keeps its end and costs nothing.
        var extended = await Api.Json(await PutSsaAsync(s, s.Token, new { endDate = "2023-01-01", excludedLots = new[] { excluded } }));
        var lots = extended["lots"]!.AsArray();
        var left = lots.Single(l => l!["lotId"]!.GetValue<string>() == excluded)!;
        Assert.True(left["excluded"]!.GetValue<bool>());
        Assert.Equal("2022-01-01", left["ssaEndDate"]!.GetValue<string>());
        var charged = lots.Single(l => l!["type"]!.GetValue<string>() == Port8x20)!;
        Assert.False(charged["excluded"]!.GetValue<bool>());
        Assert.Equal("2022-01-01", charged["coverageStart"]!.GetValue<string>());
        Assert.Equal(2 * 54, charged["ssc"]!.GetValue<long>());
        Assert.Equal(2 * 54, extended["totalSsc"]!.GetValue<long>());
        Assert.Equal(500 - 148 - (2 * 54), await SscBalanceAsync(s, s.Token));
        Assert.Equal("2022-01-01", (await DeviceLotAsync(s, s.Token, "PBX-Voicemail"))["ssaEndDate"]!.GetValue<string>());
        Assert.Equal("2023-01-01", (await DeviceLotAsync(s, s.Token, Port8x20))["ssaEndDate"]!.GetValue<string>());
        Assert.Equal("2023-01-01", (await ProjectAsync(s, s.Token))["ssaEndDate"]!.GetValue<string>());

        // A lot that is not the project's cannot be excluded; nothing is paid or dated then.
        await Api.AssertProblem(await PutSsaAsync(s, s.Token, new { endDate = "2024-01-01", excludedLots = new[] { "no-such-lot" } }), HttpStatusCode.BadRequest, "ValidationFailed");
        Assert.Equal(500 - 148 - (2 * 54), await SscBalanceAsync(s, s.Token));
        Assert.Equal("2023-01-01", (await ProjectAsync(s, s.Token))["ssaEndDate"]!.GetValue<string>());
    }

    [Fact]
    public async Task R_S2_a_lot_of_an_older_version_is_charged_from_the_next_release_even_before_its_bind_date()
    {
        // Seed: a V7 lot bound 2010-01-01, V8 released 2009-12-07.
        var s = await ProjectWithLotsAsync(D("2010-01-01"), Pbx7, "V7", 10);
        var token = await MoveToAsync(D("2010-02-01"), s.Email);

        var quote = await Api.Json(await PutSsaAsync(s, token, new { endDate = "2010-12-31", dryRun = true }));
        var lot = Assert.Single(quote["lots"]!.AsArray())!;
        Assert.Equal("2010-01-01", lot["bindDate"]!.GetValue<string>());
        Assert.Equal("2009-12-07", lot["coverageStart"]!.GetValue<string>());
        Assert.Equal(56, lot["daysTwice"]!.GetValue<int>());
        Assert.Equal(333, lot["daysOnce"]!.GetValue<int>());
        Assert.Equal(488, lot["ssc"]!.GetValue<long>());
    }

    [Fact]
    public async Task R_S4_credit_without_the_right_BuyOnCredit_is_CreditNotAllowed_and_needs_an_order_number()
    {
        var s = await ProjectWithLotsAsync(D("2021-01-01"), Port8x20, "V13", 2);
        var memberEmail = Api.NewEmail();
        var member = await _api.RegisterAndLoginAsync(memberEmail);
        Assert.Equal(HttpStatusCode.Created, (await _api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{s.Company}/users", new { email = memberEmail, rights = new[] { "MoveLicenses" } }, s.Token)).StatusCode);

        await Api.AssertProblem(await PutSsaAsync(s, member, new { endDate = "2022-01-01", buyOnCredit = true, orderNumber = "PO-1" }), HttpStatusCode.Forbidden, "CreditNotAllowed");
        await Api.AssertProblem(await PutSsaAsync(s, s.Token, new { endDate = "2022-01-01", buyOnCredit = true }), HttpStatusCode.BadRequest, "ValidationFailed");
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{s.Company}/credit", null, member), HttpStatusCode.Forbidden, "Forbidden");
        Assert.Empty((await Api.Json(await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{s.Company}/credit", null, s.Token))).AsArray());
        Assert.Null((await ProjectAsync(s, s.Token))["ssaEndDate"]?.GetValue<string>());

        // Without credit, the member pays from the balance like anyone of the company: here short.
        await Api.AssertProblem(await PutSsaAsync(s, member, new { endDate = "2022-01-01" }), HttpStatusCode.Conflict, "InsufficientSsc");

        // With the right granted, the member may buy on credit.
        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Patch, $"/api/v1/companies/{s.Company}/users/{memberEmail}", new { rights = new[] { "BuyOnCredit" } }, s.Token)).StatusCode);
        Assert.True((await Api.Json(await PutSsaAsync(s, member, new { endDate = "2022-01-01", buyOnCredit = true, orderNumber = "PO-7" })))["onCredit"]!.GetValue<bool>());
    }

    [Fact]
    public async Task R_S4_a_credit_purchase_records_the_debt_and_leaves_the_audit_balanced()
    {
        var s = await ProjectWithLotsAsync(D("2021-01-01"), Port8x20, "V13", 20);

        var confirmed = await Api.Json(await PutSsaAsync(s, s.Token, new { endDate = "2022-01-01", buyOnCredit = true, orderNumber = "PO-4711" }));
        Assert.True(confirmed["confirmed"]!.GetValue<bool>());
        Assert.True(confirmed["onCredit"]!.GetValue<bool>());
        Assert.Equal(1080, confirmed["totalSsc"]!.GetValue<long>());
        Assert.Equal(0, await SscBalanceAsync(s, s.Token));
        Assert.Equal("2022-01-01", (await ProjectAsync(s, s.Token))["ssaEndDate"]!.GetValue<string>());

        var debt = Assert.Single((await Api.Json(await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{s.Company}/credit", null, s.Token))).AsArray())!;
        Assert.Equal("PO-4711", debt["orderNumber"]!.GetValue<string>());
        Assert.Equal(1080, debt["licenses"]!["SSC"]!.GetValue<int>());
        Assert.Equal("2021-01-01", debt["date"]!.GetValue<string>());
        Assert.Equal(s.Project, debt["projectId"]!.GetValue<string>());
        Assert.Equal(s.Email, debt["userEmail"]!.GetValue<string>());

        var audit = await Api.Json(await _api.SendAsync(HttpMethod.Get, "/api/v1/vendor/audit", null, LicensingApp.VendorKey));
        Assert.True(audit["balanced"]!.GetValue<bool>(), audit.ToJsonString());
        var ssc = audit["licenseTypes"]!.AsArray().Single(l => l!["type"]!.GetValue<string>() == "SSC")!;
        Assert.Equal(0, ssc["difference"]!.GetValue<long>());
        Assert.True(ssc["consumed"]!.GetValue<long>() >= 1080);
    }

    [Fact]
    public async Task R_P2_an_external_rights_user_cannot_set_the_SSA_of_the_project()
    {
        var s = await ProjectWithLotsAsync(D("2021-01-01"), Port8x20, "V13", 2);
        var partner = await _api.RegisterAndLoginAsync();
        var (partnerCompany, _) = await _api.CreateCompanyAsync(partner, "Partner");
        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{s.Company}/projects/{s.Project}/rights", new { companyId = partnerCompany }, s.Token)).StatusCode);

        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Put, $"/api/v1/companies/{partnerCompany}/projects/{s.Project}/ssa", new { endDate = "2022-01-01", dryRun = true }, partner), HttpStatusCode.NotFound, "NotFound");
        Assert.Null((await ProjectAsync(s, s.Token))["ssaEndDate"]?.GetValue<string>());
    }

    private sealed record Setup(string Email, string Token, string Company, string Project, string Mac);
}
