using System.Collections.Immutable;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OrleansLicensing.Contracts;

namespace OrleansLicensing.ApiTests;

/// <summary>Joining a company into another (R-U3) and a project into another (R-P4), over HTTP.</summary>
public sealed class JoinTests(SharedApp shared)
{
    private const string Port8 = "PBX-Port8*20";

    private readonly Api _api = new(shared.App.CreateClient());

    private IGrainFactory Grains => shared.App.Services.GetRequiredService<IGrainFactory>();

    [Fact]
    public async Task R_U3_join_moves_projects_users_devices_keys_balances_and_rights_and_deletes_the_joined_company()
    {
        // A: its admin, a DEFAULT and a "Shared" project, and a user who is in B too.
        var adminAEmail = Api.NewEmail();
        var adminA = await _api.RegisterAndLoginAsync(adminAEmail);
        var a = new Company(_api, adminA, (await _api.CreateCompanyAsync(adminA, "Alpha")).CompanyId);
        var sharedA = await a.CreateProjectAsync("Shared");
        var bothEmail = Api.NewEmail();
        var both = await _api.RegisterAndLoginAsync(bothEmail);
        await a.AddMemberAsync(bothEmail, admin: false);

        // B: its admin, DEFAULT, "SHARED" (a clash, case-insensitively) and "Only B", a member only in B, the user in both (admin in B).
        var adminBEmail = Api.NewEmail();
        var adminB = await _api.RegisterAndLoginAsync(adminBEmail);
        var (bId, defaultB) = await _api.CreateCompanyAsync(adminB, "Beta");
        var b = new Company(_api, adminB, bId);
        var sharedB = await b.CreateProjectAsync("SHARED");
        var onlyB = await b.CreateProjectAsync("Only B");
        var onlyInBEmail = Api.NewEmail();
        var onlyInB = await _api.RegisterAndLoginAsync(onlyInBEmail);
        await b.AddMemberAsync(onlyInBEmail, admin: false, rights: ["MoveLicenses"]);
        await b.AddMemberAsync(bothEmail, admin: true);

        // B's holdings: balances, a device with licenses, one whose licenses wait in the free pool, keys redeemed and own.
        var redeemed = await _api.MintKeyAsync(new Dictionary<string, int> { [Port8] = 6, ["SSC"] = 50 });
        Assert.Equal(HttpStatusCode.Created, (await b.RedeemAsync(onlyB, redeemed)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await b.RedeemAsync(defaultB, await _api.MintKeyAsync(new Dictionary<string, int> { [Port8] = 3 }))).StatusCode);
        var ownKey = await b.CreateOwnKeyAsync(defaultB, 1);
        var (licensed, licensedSecret) = await b.AddDeviceAsync(onlyB);
        var (freed, _) = await b.AddDeviceAsync(onlyB);
        await b.AddLicensesAsync(licensed, 2);
        await b.AddLicensesAsync(freed, 1);
        await Grains.GetGrain<ILedgerGrain>(0).ReturnToFreePoolAsync(bId, freed, []);
        var (bare, _) = await b.AddDeviceAsync(sharedB);

        // Rights: X granted B rights on one of X's projects; B's "Only B" grants X rights.
        var x = await OtherCompanyAsync("Xeno");
        var xProject = await x.CreateProjectAsync("For partners");
        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Post, $"{x.Path}/projects/{xProject}/rights", new { companyId = bId }, x.Token)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Post, $"{b.Path}/projects/{onlyB}/rights", new { companyId = x.Id }, adminB)).StatusCode);

        var balances = new Dictionary<string, JsonObject>();
        foreach (var project in new[] { defaultB, sharedB, onlyB })
        {
            balances[project] = await _api.BalanceAsync(adminB, bId, project);
        }

        var pool = await b.GetAsync($"/projects/{onlyB}/free-licenses");
        Assert.Single(pool.AsArray());

        // The join: 202 with a status URL, then completed.
        var started = await _api.SendAsync(HttpMethod.Post, $"{a.Path}/join", new { companyId = bId, email = adminBEmail, password = Api.Password }, adminA);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var statusUrl = started.Headers.Location!.ToString();
        Assert.Equal(statusUrl, (await Api.Json(started))["statusUrl"]!.GetValue<string>());
        var status = await CompletedAsync(statusUrl, adminA);
        Assert.True(status["batchesDone"]!.GetValue<long>() >= 4, status.ToJsonString());

        // B is gone, for everyone; its admin and members now work in A.
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Get, b.Path, null, adminB), HttpStatusCode.NotFound, "NotFound");
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Get, $"{b.Path}/projects/{onlyB}", null, adminB), HttpStatusCode.NotFound, "NotFound");
        var me = await Api.Json(await _api.SendAsync(HttpMethod.Get, "/api/v1/me", null, adminB));
        Assert.Contains(a.Id, me["companyIds"]!.AsArray().Select(c => c!.GetValue<string>()));
        Assert.DoesNotContain(bId, me["companyIds"]!.AsArray().Select(c => c!.GetValue<string>()));
        var members = (await a.GetAsync("/users")).AsArray().ToDictionary(m => m!["email"]!.GetValue<string>(), m => m!);
        Assert.True(members[adminBEmail.ToLowerInvariant()]["admin"]!.GetValue<bool>());
        Assert.False(members[onlyInBEmail.ToLowerInvariant()]["admin"]!.GetValue<bool>());
        Assert.Equal(["MoveLicenses"], members[onlyInBEmail.ToLowerInvariant()]["rights"]!.AsArray().Select(r => r!.GetValue<string>()));
        Assert.False(members[bothEmail.ToLowerInvariant()]["admin"]!.GetValue<bool>()); // A's membership wins
        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Get, $"{a.Path}/projects", null, onlyInB)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Get, $"{a.Path}/projects", null, both)).StatusCode);

        // Projects: same ids, clashing names suffixed (B's DEFAULT too); balances unchanged.
        var projects = (await a.GetAsync("/projects")).AsArray().ToDictionary(p => p!["projectId"]!.GetValue<string>(), p => p!["name"]!.GetValue<string>());
        Assert.Equal("DEFAULT (2)", projects[defaultB]);
        Assert.Equal("SHARED (2)", projects[sharedB]);
        Assert.Equal("Only B", projects[onlyB]);
        Assert.Equal("Shared", projects[sharedA]);
        foreach (var (project, balance) in balances)
        {
            Assert.Equal(balance.ToJsonString(), (await _api.BalanceAsync(adminA, a.Id, project)).ToJsonString());
        }

        Assert.Equal(pool.ToJsonString(), (await a.GetAsync($"/projects/{onlyB}/free-licenses")).ToJsonString());

        // Devices: reachable from A with their licenses; the device still polls its licenses.
        var device = await a.GetAsync($"/devices/{licensed}");
        Assert.Equal(onlyB, device["projectId"]!.GetValue<string>());
        Assert.Equal(2, device["licenses"]!.AsArray().Sum(l => l!["units"]!.GetValue<int>()));
        Assert.Equal(onlyB, (await a.GetAsync($"/devices/{freed}"))["projectId"]!.GetValue<string>());
        Assert.Equal(sharedB, (await a.GetAsync($"/devices/{bare}"))["projectId"]!.GetValue<string>());
        Assert.Contains(licensed, (await a.GetAsync($"/projects/{onlyB}/devices")).AsArray().Select(m => m!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.OK, (await _api.PollAsync(licensed, licensedSecret)).StatusCode);

        // Keys: redeemed ones are listed and certified for A; the own key is A's to change.
        Assert.Contains(redeemed, (await a.GetAsync("/activations")).AsArray().Select(k => k!["key"]!.GetValue<string>()));
        var certificate = await a.GetAsync($"/keys/{redeemed}/certificate");
        Assert.Equal(onlyB, certificate["redeemingProjectId"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Get, $"{a.Path}/keys/{ownKey}/certificate", null, adminA)).StatusCode);
        Assert.Contains(ownKey, (await a.GetAsync($"/projects/{defaultB}/own-keys")).AsArray().Select(k => k!["key"]!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Delete, $"{a.Path}/projects/{defaultB}/own-keys/{ownKey}", null, adminA)).StatusCode);

        // Rights: X's grant to B now reaches A; B's grant to X stays on the project, now A's.
        Assert.Equal("For partners", (await a.GetAsync($"/projects/{xProject}"))["name"]!.GetValue<string>());
        Assert.Equal([a.Id], (await x.GetAsync($"/projects/{xProject}/rights"))["companyIds"]!.AsArray().Select(c => c!.GetValue<string>()));
        Assert.Equal([x.Id], (await a.GetAsync($"/projects/{onlyB}/rights"))["companyIds"]!.AsArray().Select(c => c!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Get, $"{x.Path}/projects/{onlyB}", null, x.Token)).StatusCode);

        // The status is A's to read only.
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Get, statusUrl.Replace(a.Id, x.Id, StringComparison.Ordinal), null, x.Token), HttpStatusCode.NotFound, "NotFound");
        await AssertBalancedAsync();
    }

    [Fact]
    public async Task R_U3_the_joined_companys_credit_debt_moves_to_the_joining_company()
    {
        var adminBEmail = Api.NewEmail();
        var adminB = await _api.RegisterAndLoginAsync(adminBEmail);
        var b = new Company(_api, adminB, (await _api.CreateCompanyAsync(adminB, "Owes")).CompanyId);
        var project = await b.CreateProjectAsync("On credit");
        Assert.Equal(HttpStatusCode.Created, (await b.RedeemAsync(project, await _api.MintKeyAsync(new Dictionary<string, int> { [Port8] = 2 }))).StatusCode);
        var (mac, _) = await b.AddDeviceAsync(project);
        await b.AddLicensesAsync(mac, 2);
        var endDate = DateOnly.FromDateTime(DateTime.UtcNow).AddYears(1);
        var bought = await _api.SendAsync(HttpMethod.Put, $"{b.Path}/projects/{project}/ssa", new { endDate, buyOnCredit = true, orderNumber = "PO-JOIN" }, adminB);
        Assert.Equal(HttpStatusCode.OK, bought.StatusCode);
        var owed = (await Api.Json(bought))["totalSsc"]!.GetValue<long>();
        Assert.True(owed > 0);

        var a = await OtherCompanyAsync("Pays");
        var started = await _api.SendAsync(HttpMethod.Post, $"{a.Path}/join", new { companyId = b.Id, email = adminBEmail, password = Api.Password }, a.Token);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        await CompletedAsync(started.Headers.Location!.ToString(), a.Token);

        var debt = Assert.Single((await a.GetAsync("/credit")).AsArray())!;
        Assert.Equal("PO-JOIN", debt["orderNumber"]!.GetValue<string>());

        // R-Q2 with R-U3: A's history now holds the join and, read through it, B's own events (the SSA bought on credit).
        var actions = new List<(string Action, string? Project)>();
        for (string? cursor = null; ;)
        {
            var page = await a.GetAsync($"/history?period=always&limit=500{(cursor is null ? string.Empty : "&cursor=" + Uri.EscapeDataString(cursor))}");
            actions.AddRange(page["events"]!.AsArray().Select(e => (e!["action"]!.GetValue<string>(), e["projectId"]?.GetValue<string>())));
            cursor = page["nextCursor"]?.GetValue<string>();
            if (cursor is null)
            {
                break;
            }
        }

        Assert.Equal("CompanyJoined", actions[0].Action);
        Assert.Contains(("SsaSet", project), actions);
        Assert.Contains(("KeyRedeemed", project), actions);
        Assert.Equal(owed, debt["licenses"]!["SSC"]!.GetValue<long>());
        Assert.Equal(project, debt["projectId"]!.GetValue<string>());
        await AssertBalancedAsync();
    }

    [Fact]
    public async Task R_U3_an_open_RMA_of_the_joined_company_continues_in_the_joining_company()
    {
        var adminBEmail = Api.NewEmail();
        var adminB = await _api.RegisterAndLoginAsync(adminBEmail);
        var b = new Company(_api, adminB, (await _api.CreateCompanyAsync(adminB, "Returns")).CompanyId);
        var project = await b.CreateProjectAsync("Field");
        Assert.Equal(HttpStatusCode.Created, (await b.RedeemAsync(project, await _api.MintKeyAsync(new Dictionary<string, int> { [Port8] = 2 }))).StatusCode);
        var (mac, _) = await b.AddDeviceAsync(project);
        await b.AddLicensesAsync(mac, 2);
        Assert.Equal(HttpStatusCode.OK, (await b.PostAsync($"/devices/{mac}/rma", new { reason = "broken" })).StatusCode);

        var a = await OtherCompanyAsync("Takes over");
        var started = await _api.SendAsync(HttpMethod.Post, $"{a.Path}/join", new { companyId = b.Id, email = adminBEmail, password = Api.Password }, a.Token);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        await CompletedAsync(started.Headers.Location!.ToString(), a.Token);

        // A lists it; the vendor's arrival and reship free the licenses into A's Freed_RMA_licenses.
        var listed = Assert.Single((await a.GetAsync("/rma")).AsArray())!;
        Assert.Equal(mac, listed["mac"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Post, $"/api/v1/vendor/rma/{mac}/arrived", null, LicensingApp.VendorKey)).StatusCode);
        var reshipped = await _api.SendAsync(HttpMethod.Post, $"/api/v1/vendor/rma/{mac}/reship", null, LicensingApp.VendorKey);
        Assert.Equal(HttpStatusCode.OK, reshipped.StatusCode);
        var freed = (await Api.Json(reshipped))["freedProjectId"]!.GetValue<string>();
        Assert.Contains((await a.GetAsync("/projects")).AsArray(), p => p!["projectId"]!.GetValue<string>() == freed && p["name"]!.GetValue<string>() == "Freed_RMA_licenses");
        Assert.Equal(2, (await a.GetAsync($"/projects/{freed}/free-licenses")).AsArray().Sum(l => l!["units"]!.GetValue<int>()));
        await AssertBalancedAsync();
    }

    [Fact]
    public async Task R_U3_join_is_refused_without_an_admin_of_A_or_an_admin_login_of_B()
    {
        var adminA = await _api.RegisterAndLoginAsync();
        var a = new Company(_api, adminA, (await _api.CreateCompanyAsync(adminA, "Alpha")).CompanyId);
        var memberAEmail = Api.NewEmail();
        var memberA = await _api.RegisterAndLoginAsync(memberAEmail);
        await a.AddMemberAsync(memberAEmail, admin: false, rights: ["MoveLicenses", "BuyOnCredit"]);
        var adminBEmail = Api.NewEmail();
        var adminB = await _api.RegisterAndLoginAsync(adminBEmail);
        var (bId, _) = await _api.CreateCompanyAsync(adminB, "Beta");
        var b = new Company(_api, adminB, bId);
        var userBEmail = Api.NewEmail();
        await _api.RegisterAndLoginAsync(userBEmail);
        await b.AddMemberAsync(userBEmail, admin: false);

        object Body(string email, string password = Api.Password) => new { companyId = bId, email, password };
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Post, $"{a.Path}/join", Body(adminBEmail), memberA), HttpStatusCode.Forbidden, "Forbidden");
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Post, $"{a.Path}/join", Body(adminBEmail, "wrong password!"), adminA), HttpStatusCode.Forbidden, "JoinCredentialsInvalid");
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Post, $"{a.Path}/join", Body(userBEmail), adminA), HttpStatusCode.Forbidden, "JoinCredentialsInvalid");
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Post, $"{a.Path}/join", Body(Api.NewEmail()), adminA), HttpStatusCode.Forbidden, "JoinCredentialsInvalid");
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Post, $"{a.Path}/join", new { companyId = a.Id, email = adminBEmail, password = Api.Password }, adminA), HttpStatusCode.BadRequest, "ValidationFailed");

        // B's admin cannot pull A in from B's side either without A's admin login.
        await Api.AssertProblem(
            await _api.SendAsync(HttpMethod.Post, $"{b.Path}/join", new { companyId = a.Id, email = memberAEmail, password = Api.Password }, adminB), HttpStatusCode.Forbidden, "JoinCredentialsInvalid");

        // Nothing changed: both companies and their projects are there, B's users are B's.
        Assert.Equal("Beta", (await b.GetAsync(string.Empty))["name"]!.GetValue<string>());
        Assert.Single((await a.GetAsync("/projects")).AsArray());
        Assert.Equal(2, (await b.GetAsync("/users")).AsArray().Count);
    }

    [Fact]
    public async Task R_P4_join_moves_devices_balance_free_pool_and_keys_then_deletes_the_project()
    {
        var token = await _api.RegisterAndLoginAsync();
        var c = new Company(_api, token, (await _api.CreateCompanyAsync(token, "Gamma")).CompanyId);
        var source = await c.CreateProjectAsync("Old site");
        var target = await c.CreateProjectAsync("New site");
        var redeemed = await _api.MintKeyAsync(new Dictionary<string, int> { [Port8] = 7, ["Relay-PRI"] = 2 });
        Assert.Equal(HttpStatusCode.Created, (await c.RedeemAsync(source, redeemed)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await c.RedeemAsync(target, await _api.MintKeyAsync(new Dictionary<string, int> { [Port8] = 3 }))).StatusCode);
        var ownKey = await c.CreateOwnKeyAsync(source, 1);
        var (licensed, secret) = await c.AddDeviceAsync(source);
        var (freed, _) = await c.AddDeviceAsync(source);
        await c.AddLicensesAsync(licensed, 2);
        await c.AddLicensesAsync(freed, 1);
        await Grains.GetGrain<ILedgerGrain>(0).ReturnToFreePoolAsync(c.Id, freed, []);

        // The preview names what moves; no SSA on the target, so nothing to pay.
        var preview = await Api.Json(await c.PostAsync($"/projects/{source}/join", new { targetProjectId = target, dryRun = true }));
        Assert.Equal(new[] { freed, licensed }.Order(StringComparer.Ordinal), preview["devices"]!.AsArray().Select(m => m!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.Equal(3, preview["balance"]![Port8]!.GetValue<int>());
        Assert.Equal(0, preview["totalSsc"]!.GetValue<long>());
        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Get, $"{c.Path}/projects/{source}", null, token)).StatusCode);

        var started = await c.PostAsync($"/projects/{source}/join", new { targetProjectId = target });
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        await CompletedAsync(started.Headers.Location!.ToString(), token);

        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Get, $"{c.Path}/projects/{source}", null, token), HttpStatusCode.NotFound, "NotFound");
        Assert.DoesNotContain(source, (await c.GetAsync("/projects")).AsArray().Select(p => p!["projectId"]!.GetValue<string>()));
        var balance = await _api.BalanceAsync(token, c.Id, target);
        Assert.Equal(6, balance[Port8]!.GetValue<int>()); // 3 + 7 - 1 (own key) - 2 - 1 (devices)
        Assert.Equal(2, balance["Relay-PRI"]!.GetValue<int>());
        Assert.Equal(new[] { freed, licensed }.Order(StringComparer.Ordinal), (await c.GetAsync($"/projects/{target}/devices")).AsArray().Select(m => m!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.Equal(target, (await c.GetAsync($"/devices/{licensed}"))["projectId"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await _api.PollAsync(licensed, secret)).StatusCode);
        Assert.Single((await c.GetAsync($"/projects/{target}/free-licenses")).AsArray());
        var activations = (await c.GetAsync($"/projects/{target}/activations")).AsArray();
        Assert.Equal(target, activations.Single(k => k!["key"]!.GetValue<string>() == redeemed)!["projectId"]!.GetValue<string>());
        Assert.Equal(target, (await c.GetAsync($"/keys/{redeemed}/certificate"))["redeemingProjectId"]!.GetValue<string>());
        Assert.Equal(target, (await c.GetAsync($"/projects/{target}/own-keys")).AsArray().Single(k => k!["key"]!.GetValue<string>() == ownKey)!["projectId"]!.GetValue<string>());

        // The own key's units go back to the project it now belongs to.
        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Delete, $"{c.Path}/projects/{target}/own-keys/{ownKey}", null, token)).StatusCode);
        Assert.Equal(7, (await _api.BalanceAsync(token, c.Id, target))[Port8]!.GetValue<int>());
        await AssertBalancedAsync();
    }

    [Fact]
    public async Task R_P4_join_is_refused_while_the_project_grants_external_rights_and_nothing_moves()
    {
        var token = await _api.RegisterAndLoginAsync();
        var c = new Company(_api, token, (await _api.CreateCompanyAsync(token, "Delta")).CompanyId);
        var source = await c.CreateProjectAsync("Granting");
        var target = await c.CreateProjectAsync("Target");
        Assert.Equal(HttpStatusCode.Created, (await c.RedeemAsync(source, await _api.MintKeyAsync(new Dictionary<string, int> { [Port8] = 4 }))).StatusCode);
        var (mac, _) = await c.AddDeviceAsync(source);
        var partner = await OtherCompanyAsync("Partner");
        Assert.Equal(HttpStatusCode.OK, (await c.PostAsync($"/projects/{source}/rights", new { companyId = partner.Id })).StatusCode);

        await Api.AssertProblem(await c.PostAsync($"/projects/{source}/join", new { targetProjectId = target, dryRun = true }), HttpStatusCode.Conflict, "ProjectHasExternalRights");

        // Neither into a project of another company, nor the default project, nor into itself.
        var partnerDefault = (await partner.GetAsync(string.Empty))["defaultProjectId"]!.GetValue<string>();
        await Api.AssertProblem(await c.PostAsync($"/projects/{target}/join", new { targetProjectId = partnerDefault }), HttpStatusCode.NotFound, "NotFound");
        var companyDefault = (await c.GetAsync(string.Empty))["defaultProjectId"]!.GetValue<string>();
        await Api.AssertProblem(await c.PostAsync($"/projects/{companyDefault}/join", new { targetProjectId = target }), HttpStatusCode.Conflict, "Conflict");
        await Api.AssertProblem(await c.PostAsync($"/projects/{target}/join", new { targetProjectId = target }), HttpStatusCode.BadRequest, "ValidationFailed");
        await Api.AssertProblem(await c.PostAsync($"/projects/{source}/join", new { targetProjectId = target }), HttpStatusCode.Conflict, "ProjectHasExternalRights");

        Assert.Equal(4, (await _api.BalanceAsync(token, c.Id, source))[Port8]!.GetValue<int>());
        Assert.Empty(await _api.BalanceAsync(token, c.Id, target));
        Assert.Equal(source, (await c.GetAsync($"/devices/{mac}"))["projectId"]!.GetValue<string>());

        // Once the right is revoked the join goes through.
        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Delete, $"{c.Path}/projects/{source}/rights?companyId={partner.Id}", null, token)).StatusCode);
        var started = await c.PostAsync($"/projects/{source}/join", new { targetProjectId = target });
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        await CompletedAsync(started.Headers.Location!.ToString(), token);
        Assert.Equal(4, (await _api.BalanceAsync(token, c.Id, target))[Port8]!.GetValue<int>());
        Assert.Equal(target, (await c.GetAsync($"/devices/{mac}"))["projectId"]!.GetValue<string>());
    }

    [Fact]
    public async Task R_P4_join_into_a_project_under_SSA_is_previewed_then_confirmed_and_pays_the_quoted_SSC()
    {
        var token = await _api.RegisterAndLoginAsync();
        var c = new Company(_api, token, (await _api.CreateCompanyAsync(token, "Epsilon")).CompanyId);
        var source = await c.CreateProjectAsync("Without SSA");
        var target = await c.CreateProjectAsync("Under SSA");
        Assert.Equal(HttpStatusCode.Created, (await c.RedeemAsync(source, await _api.MintKeyAsync(new Dictionary<string, int> { [Port8] = 5 }))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await c.RedeemAsync(target, await _api.MintKeyAsync(new Dictionary<string, int> { ["SSC"] = 1000 }))).StatusCode);
        var (mac, _) = await c.AddDeviceAsync(source);
        await c.AddLicensesAsync(mac, 2);
        var lot = (await c.GetAsync($"/devices/{mac}"))["licenses"]![0]!;
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var ssaEnd = today.AddYears(1);
        await PutUnderSsaAsync(c, target, ssaEnd);

        // The price of the lot by the stateless calculator (R-S1..R-S3) is what the join quotes.
        var expected = await Api.Json(await _api.SendAsync(HttpMethod.Post, "/api/v1/ssc/quote", new
        {
            calculationDate = today, endDate = ssaEnd,
            lots = new[] { new { type = Port8, units = 2, version = lot["version"]!.GetValue<string>(), bindDate = lot["bindDate"]!.GetValue<string>() } },
        }, null));
        var preview = await Api.Json(await c.PostAsync($"/projects/{source}/join", new { targetProjectId = target, dryRun = true }));
        Assert.Equal(ssaEnd.ToString("yyyy-MM-dd"), preview["ssaEndDate"]!.GetValue<string>());
        var quoted = preview["lots"]!.AsArray().Single()!;
        Assert.Equal(mac, quoted["mac"]!.GetValue<string>());
        Assert.Equal(expected["totalSsc"]!.GetValue<long>(), quoted["ssc"]!.GetValue<long>());
        Assert.Equal(expected["totalSsc"]!.GetValue<long>(), preview["totalSsc"]!.GetValue<long>());
        var total = preview["totalSsc"]!.GetValue<long>();
        Assert.True(total > 0);

        // Another calculation date: a preview, never confirmable.
        var later = today.AddDays(30);
        var laterPreview = await Api.Json(await c.PostAsync($"/projects/{source}/join", new { targetProjectId = target, dryRun = true, calculationDate = later }));
        Assert.Equal(later.ToString("yyyy-MM-dd"), laterPreview["calculationDate"]!.GetValue<string>());
        await Api.AssertProblem(await c.PostAsync($"/projects/{source}/join", new { targetProjectId = target, calculationDate = later }), HttpStatusCode.Conflict, "QuoteNotConfirmable");
        Assert.Equal(1000, (await _api.BalanceAsync(token, c.Id, target))["SSC"]!.GetValue<int>());

        var started = await c.PostAsync($"/projects/{source}/join", new { targetProjectId = target, calculationDate = today });
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        await CompletedAsync(started.Headers.Location!.ToString(), token);

        var balance = await _api.BalanceAsync(token, c.Id, target);
        Assert.Equal(1000 - total, balance["SSC"]!.GetValue<long>());
        Assert.Equal(3, balance[Port8]!.GetValue<int>());
        var moved = (await c.GetAsync($"/devices/{mac}"))["licenses"]![0]!;
        Assert.Equal(ssaEnd.ToString("yyyy-MM-dd"), moved["ssaEndDate"]!.GetValue<string>());
        Assert.Equal(lot["lotId"]!.GetValue<string>(), moved["lotId"]!.GetValue<string>());
        await AssertBalancedAsync();
    }

    [Fact]
    public async Task R_P4_join_is_refused_with_InsufficientSsc_and_nothing_moves()
    {
        var token = await _api.RegisterAndLoginAsync();
        var c = new Company(_api, token, (await _api.CreateCompanyAsync(token, "Zeta")).CompanyId);
        var source = await c.CreateProjectAsync("Source");
        var target = await c.CreateProjectAsync("Target under SSA");
        Assert.Equal(HttpStatusCode.Created, (await c.RedeemAsync(source, await _api.MintKeyAsync(new Dictionary<string, int> { [Port8] = 10 }))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await c.RedeemAsync(target, await _api.MintKeyAsync(new Dictionary<string, int> { ["SSC"] = 10 }))).StatusCode);
        var (mac, _) = await c.AddDeviceAsync(source);
        await c.AddLicensesAsync(mac, 5);
        await PutUnderSsaAsync(c, target, DateOnly.FromDateTime(DateTime.UtcNow).AddYears(2));

        var refused = await Api.AssertProblem(await c.PostAsync($"/projects/{source}/join", new { targetProjectId = target }), HttpStatusCode.Conflict, "InsufficientSsc");
        Assert.NotNull(refused["shortfall"]);

        Assert.Equal(10, (await _api.BalanceAsync(token, c.Id, target))["SSC"]!.GetValue<int>());
        Assert.Equal(5, (await _api.BalanceAsync(token, c.Id, source))[Port8]!.GetValue<int>());
        var device = await c.GetAsync($"/devices/{mac}");
        Assert.Equal(source, device["projectId"]!.GetValue<string>());
        Assert.Null(device["licenses"]![0]!["ssaEndDate"]);

        // The source is not locked: it still takes changes.
        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Patch, $"{c.Path}/projects/{source}", new { description = "still here" }, token)).StatusCode);
    }

    /// <summary>Polls a join's status URL until it is no longer running; asserts it completed.</summary>
    internal static async Task<JsonNode> CompletedAsync(Api api, string statusUrl, string token)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var response = await api.SendAsync(HttpMethod.Get, statusUrl, null, token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var status = await Api.Json(response);
            var state = status["state"]!.GetValue<string>();
            if (state != "running" || DateTime.UtcNow > deadline)
            {
                Assert.True(state == "completed", status.ToJsonString());
                return status;
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }

    private Task<JsonNode> CompletedAsync(string statusUrl, string token) => CompletedAsync(_api, statusUrl, token);

    /// <summary>R-S1 through the API: an empty project goes under SSA for nothing.</summary>
    private async Task PutUnderSsaAsync(Company c, string projectId, DateOnly endDate)
    {
        var set = await _api.SendAsync(HttpMethod.Put, $"{c.Path}/projects/{projectId}/ssa", new { endDate }, c.Token);
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        Assert.Equal(0, (await Api.Json(set))["totalSsc"]!.GetValue<long>());
    }

    /// <summary>The audit over the shared node, where other tests' moves may be in flight: balanced once they settled.</summary>
    internal static async Task AssertBalancedAsync(Api api)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var audit = await Api.Json(await api.SendAsync(HttpMethod.Get, "/api/v1/vendor/audit", null, LicensingApp.VendorKey));
            if (audit["balanced"]!.GetValue<bool>() || DateTime.UtcNow > deadline)
            {
                Assert.True(audit["balanced"]!.GetValue<bool>(), audit.ToJsonString());
                return;
            }

            await Task.Delay(500, TestContext.Current.CancellationToken);
        }
    }

    private Task AssertBalancedAsync() => AssertBalancedAsync(_api);

    private async Task<Company> OtherCompanyAsync(string name)
    {
        var token = await _api.RegisterAndLoginAsync();
        return new Company(_api, token, (await _api.CreateCompanyAsync(token, name)).CompanyId);
    }
}

/// <summary>A company as one of its admins reaches it over HTTP: the setup steps the join tests repeat.</summary>
internal sealed class Company(Api api, string token, string id)
{
    private const string Port8 = "PBX-Port8*20";

    public string Token { get; } = token;

    public string Id { get; } = id;

    public string Path => $"/api/v1/companies/{Id}";

    public async Task<string> CreateProjectAsync(string name)
    {
        var created = await PostAsync("/projects", new { name });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await Api.Json(created))["projectId"]!.GetValue<string>();
    }

    public async Task AddMemberAsync(string email, bool admin, string[]? rights = null) =>
        Assert.Equal(HttpStatusCode.Created, (await PostAsync("/users", new { email, admin, rights })).StatusCode);

    public Task<HttpResponseMessage> RedeemAsync(string projectId, string key) => PostAsync($"/projects/{projectId}/activations", new { key });

    public async Task<string> CreateOwnKeyAsync(string projectId, int units)
    {
        var created = await PostAsync($"/projects/{projectId}/own-keys", new { licenses = new Dictionary<string, int> { [Port8] = units }, comment = "hand-on" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await Api.Json(created))["key"]!.GetValue<string>();
    }

    public async Task<(string Mac, string Secret)> AddDeviceAsync(string projectId)
    {
        var device = await api.RegisterHardwareAsync(Api.NewMacSuffix());
        var added = await Api.Json(await PostAsync($"/projects/{projectId}/devices", new { macs = new[] { device.Mac } }));
        Assert.Equal("added", added["results"]![0]!["status"]!.GetValue<string>());
        return device;
    }

    /// <summary>Binds <paramref name="units"/> PBX-Port8*20 from the device's project.</summary>
    public async Task AddLicensesAsync(string mac, int units)
    {
        var response = await PostAsync($"/devices/{mac}/licenses", new { version = "V13", licenses = new Dictionary<string, int> { [Port8] = units } });
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    public Task<HttpResponseMessage> PostAsync(string path, object body) => api.SendAsync(HttpMethod.Post, Path + path, body, Token);

    public async Task<JsonNode> GetAsync(string path)
    {
        var response = await api.SendAsync(HttpMethod.Get, Path + path, null, Token);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }
}
