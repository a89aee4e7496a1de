using System.Net;
using System.Text.Json.Nodes;

namespace OrleansLicensing.ApiTests;

/// <summary>
/// Devices as members of projects over HTTP (issue 11 part A): name and comment (R-D4), removal
/// (R-D5), moves between projects (R-D6), the status check of a device outside the company, the
/// proof of possession when taking a device from another company (R-D2), and concurrent license
/// moves to one empty device (R-L5).
/// </summary>
public sealed class DeviceMembershipTests(SharedApp shared) : IClassFixture<SharedApp>
{
    private const string Port8x20 = "PBX-Port8*20";

    private readonly Api _api = new(shared.App.CreateClient());

    [Fact]
    public async Task R_D4_name_and_comment_are_editable_but_a_name_that_looks_like_a_mac_or_an_ipei_is_refused()
    {
        var c = await CompanyAsync();
        var (mac, _) = await DeviceInAsync(c);
        var path = $"/api/v1/companies/{c.Company}/devices/{mac}";

        var renamed = await _api.SendAsync(HttpMethod.Patch, path, new { name = "Reception PBX", comment = "rack 2" }, c.Token);
        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        var device = await Api.Json(await _api.SendAsync(HttpMethod.Get, path, null, c.Token));
        Assert.Equal("Reception PBX", device["name"]!.GetValue<string>());
        Assert.Equal("rack 2", device["comment"]!.GetValue<string>());

        // Recorded, and the company's search finds the device by its new name (R-Q1).
        var updated = Assert.Single(await HistoryAsync(c, mac), e => e!["action"]!.GetValue<string>() == "DeviceUpdated")!;
        Assert.Equal("Reception PBX", updated["details"]!["name"]!.GetValue<string>());
        Assert.Equal(c.Project, updated["projectId"]!.GetValue<string>());
        var found = await Api.Json(await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{c.Company}/search?q={Uri.EscapeDataString("Reception PBX")}", null, c.Token));
        Assert.Equal("name", Assert.Single(found["devices"]!.AsArray())!["matchedBy"]!.GetValue<string>());

        // Every MAC form of R-F1 and both IPEI forms are refused; nothing changes.
        foreach (var identity in new[] { "00-90-33-01-02-03", "00:90:33:01:02:03", "009033010203", "0a1b2c", " 0A1B2C ", "00077 0123456 7", "000770123456", "00077-0123456-*", "0004D 1A2B3", "0004d1a2b3" })
        {
            await Api.AssertProblem(await _api.SendAsync(HttpMethod.Patch, path, new { name = identity }, c.Token), HttpStatusCode.BadRequest, "InvalidDeviceName");
        }

        // A comment may hold anything; an empty name clears it; names merely containing digits are fine.
        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Patch, path, new { name = "PBX 00077 floor 3", comment = "00-90-33-01-02-03" }, c.Token)).StatusCode);
        device = await Api.Json(await _api.SendAsync(HttpMethod.Get, path, null, c.Token));
        Assert.Equal("PBX 00077 floor 3", device["name"]!.GetValue<string>());
        Assert.Equal("00-90-33-01-02-03", device["comment"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Patch, path, new { name = "" }, c.Token)).StatusCode);
        device = await Api.Json(await _api.SendAsync(HttpMethod.Get, path, null, c.Token));
        Assert.Null(device["name"]);
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Patch, path, new { }, c.Token), HttpStatusCode.BadRequest, "ValidationFailed");

        // Refused names recorded nothing: one event per accepted change.
        Assert.Equal(3, (await HistoryAsync(c, mac)).Count(e => e!["action"]!.GetValue<string>() == "DeviceUpdated"));

        // Another company cannot touch it.
        var other = await CompanyAsync();
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Patch, $"/api/v1/companies/{other.Company}/devices/{mac}", new { name = "Mine" }, other.Token), HttpStatusCode.NotFound, "NotFound");
    }

    [Fact]
    public async Task R_D5_removing_a_device_keeps_its_licenses_and_it_can_be_added_again_by_its_company_or_with_proof_by_another()
    {
        var c = await CompanyAsync();
        var (mac, secret) = await DeviceInAsync(c);
        await BindAsync(c, mac, 2);

        // R-P2: a partner with rights on the project may add devices there, but not remove them.
        var partner = await CompanyAsync();
        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{c.Company}/projects/{c.Project}/rights", new { companyId = partner.Company }, c.Token)).StatusCode);
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Delete, $"/api/v1/companies/{partner.Company}/devices/{mac}", null, partner.Token), HttpStatusCode.NotFound, "NotFound");
        Assert.Contains(mac, await ProjectDevicesAsync(c, c.Project));

        Assert.Equal(HttpStatusCode.NoContent, (await _api.SendAsync(HttpMethod.Delete, $"/api/v1/companies/{c.Company}/devices/{mac}", null, c.Token)).StatusCode);
        Assert.DoesNotContain(mac, await ProjectDevicesAsync(c, c.Project));
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{c.Company}/devices/{mac}", null, c.Token), HttpStatusCode.NotFound, "NotFound");
        var removed = Assert.Single(await HistoryAsync(c, mac), e => e!["action"]!.GetValue<string>() == "DeviceRemoved")!;
        Assert.Equal(c.Project, removed["projectId"]!.GetValue<string>());
        Assert.Equal($"{Port8x20}=2", removed["details"]!["licenses"]!.GetValue<string>());
        Assert.Empty((await Api.Json(await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{c.Company}/search?q={mac}", null, c.Token)))["devices"]!.AsArray());

        // The licenses stayed with the device: its own poll still shows them.
        var poll = await Api.Json(await _api.PollAsync(mac, secret));
        Assert.Equal(2, poll["licenses"]!.AsArray().Single(l => l!["type"]!.GetValue<string>() == Port8x20)!["units"]!.GetValue<int>());

        // Another company needs the secret; the company that removed it adds it by MAC alone, to another project.
        var other = await CompanyAsync();
        Assert.Equal("DeviceInOtherCompany", (await AddAsync(other, other.Project, new { macs = new[] { mac } }))["code"]!.GetValue<string>());
        var second = await ProjectAsync(c, "Second");
        var readded = await AddAsync(c, second, new { macs = new[] { mac } });
        Assert.Equal("added", readded["status"]!.GetValue<string>());
        Assert.Contains(mac, await ProjectDevicesAsync(c, second));
        var device = await Api.Json(await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{c.Company}/devices/{mac}", null, c.Token));
        Assert.Equal(second, device["projectId"]!.GetValue<string>());
        Assert.Equal(2, device["licenses"]!.AsArray().Single(l => l!["type"]!.GetValue<string>() == Port8x20)!["units"]!.GetValue<int>());

        // Removed once more, another company takes it with proof.
        Assert.Equal(HttpStatusCode.NoContent, (await _api.SendAsync(HttpMethod.Delete, $"/api/v1/companies/{c.Company}/devices/{mac}", null, c.Token)).StatusCode);
        var taken = await AddAsync(other, other.Project, new { devices = new[] { new { mac, deviceSecret = secret } } });
        Assert.Equal("added", taken["status"]!.GetValue<string>());
        await AssertBalancedAsync();
    }

    [Fact]
    public async Task R_D2_taking_a_device_from_another_company_needs_its_secret_and_then_moves_it_with_its_licenses()
    {
        var a = await CompanyAsync();
        var (mac, secret) = await DeviceInAsync(a);
        await BindAsync(a, mac, 3);
        var b = await CompanyAsync();

        var refused = await AddAsync(b, b.Project, new { macs = new[] { mac } });
        Assert.Equal("error", refused["status"]!.GetValue<string>());
        Assert.Equal("DeviceInOtherCompany", refused["code"]!.GetValue<string>());
        var wrongSecret = await AddAsync(b, b.Project, new { devices = new[] { new { mac, deviceSecret = "not-the-secret" } } });
        Assert.Equal("DeviceInOtherCompany", wrongSecret["code"]!.GetValue<string>());

        // Nothing changed: still A's, in A's project, with its licenses; B sees nothing.
        var inA = await Api.Json(await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{a.Company}/devices/{mac}", null, a.Token));
        Assert.Equal(a.Project, inA["projectId"]!.GetValue<string>());
        Assert.Equal(3, inA["licenses"]!.AsArray().Sum(l => l!["units"]!.GetValue<int>()));
        Assert.Empty(await ProjectDevicesAsync(b, b.Project));
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{b.Company}/devices/{mac}", null, b.Token), HttpStatusCode.NotFound, "NotFound");

        // With the secret: added with warning SeveralCompanies; the device and its licenses are B's now.
        var taken = await AddAsync(b, b.Project, new { devices = new[] { new { mac, deviceSecret = secret } } });
        Assert.Equal("warning", taken["status"]!.GetValue<string>());
        Assert.Equal("SeveralCompanies", taken["code"]!.GetValue<string>());
        var inB = await Api.Json(await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{b.Company}/devices/{mac}", null, b.Token));
        Assert.Equal(b.Project, inB["projectId"]!.GetValue<string>());
        Assert.Equal(3, inB["licenses"]!.AsArray().Sum(l => l!["units"]!.GetValue<int>()));
        Assert.DoesNotContain(mac, await ProjectDevicesAsync(a, a.Project));
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{a.Company}/devices/{mac}", null, a.Token), HttpStatusCode.NotFound, "NotFound");

        // Both companies' history shows it; the refused attempts recorded nothing in either.
        Assert.Equal(["DeviceTakenOver", "LicensesAdded", "DeviceAdded"], (await HistoryAsync(a, mac)).Select(e => e!["action"]!.GetValue<string>()));
        var added = Assert.Single(await HistoryAsync(b, mac))!;
        Assert.Equal("DeviceAdded", added["action"]!.GetValue<string>());
        Assert.Equal("SeveralCompanies", added["details"]!["warning"]!.GetValue<string>());
        await AssertBalancedAsync();
    }

    [Fact]
    public async Task R_D2_a_device_claims_itself_for_a_company_which_then_adds_it_by_mac_alone_once()
    {
        var a = await CompanyAsync();
        var (mac, secret) = await DeviceInAsync(a);
        await BindAsync(a, mac, 1);
        var b = await CompanyAsync();
        var c = await CompanyAsync();

        // The device API authenticates the device; the company must exist.
        await Api.AssertProblem(await ClaimAsync(mac, "wrong-secret", b.Company), HttpStatusCode.Unauthorized, "Unauthorized");
        await Api.AssertProblem(await ClaimAsync(mac, secret, "0000000000000000"), HttpStatusCode.NotFound, "NotFound");
        Assert.Equal("DeviceInOtherCompany", (await AddAsync(b, b.Project, new { macs = new[] { mac } }))["code"]!.GetValue<string>());

        // A claim for C does not let B in; a claim for B does, by MAC alone.
        Assert.Equal(HttpStatusCode.OK, (await ClaimAsync(mac, secret, c.Company)).StatusCode);
        Assert.Equal("DeviceInOtherCompany", (await AddAsync(b, b.Project, new { macs = new[] { mac } }))["code"]!.GetValue<string>());
        var claimed = await ClaimAsync(mac.Replace("-", ":", StringComparison.Ordinal), secret, b.Company);
        Assert.Equal(HttpStatusCode.OK, claimed.StatusCode);
        Assert.Equal(b.Company, (await Api.Json(claimed))["companyId"]!.GetValue<string>());
        var added = await AddAsync(b, b.Project, new { macs = new[] { mac } });
        Assert.Equal("warning", added["status"]!.GetValue<string>());
        Assert.Equal("SeveralCompanies", added["code"]!.GetValue<string>());
        Assert.Equal(1, await UnitsOnAsync(b, mac));
        Assert.Equal("DeviceTakenOver", (await HistoryAsync(a, mac))[0]!["action"]!.GetValue<string>());

        // The claim was used up: after A takes the device back with its secret, B needs a new proof.
        Assert.Equal("warning", (await AddAsync(a, a.Project, new { devices = new[] { new { mac, deviceSecret = secret } } }))["status"]!.GetValue<string>());
        Assert.Equal("DeviceInOtherCompany", (await AddAsync(b, b.Project, new { macs = new[] { mac } }))["code"]!.GetValue<string>());
        await AssertBalancedAsync();
    }

    private Task<HttpResponseMessage> ClaimAsync(string mac, string secret, string companyId)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/device/claim") { Content = System.Net.Http.Json.JsonContent.Create(new { companyId }) };
        request.Headers.Add("X-Device-Mac", mac);
        request.Headers.Add("X-Device-Secret", secret);
        return _api.Http.SendAsync(request, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task R_L5_two_concurrent_moves_from_different_devices_to_one_empty_device_exactly_one_succeeds()
    {
        var c = await CompanyAsync();
        for (var round = 0; round < 20; round++)
        {
            var (first, _) = await DeviceInAsync(c);
            var (second, _) = await DeviceInAsync(c);
            var (empty, _) = await DeviceInAsync(c);
            await BindAsync(c, first, 1);
            await BindAsync(c, second, 2);

            var moves = await Task.WhenAll(
                _api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{c.Company}/devices/{first}/licenses/move", new { targetMac = empty }, c.Token),
                _api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{c.Company}/devices/{second}/licenses/move", new { targetMac = empty }, c.Token));
            var won = moves.Where(m => m.StatusCode == HttpStatusCode.OK).ToArray();
            Assert.Single(won);
            var lost = moves.Single(m => m.StatusCode != HttpStatusCode.OK);
            await Api.AssertProblem(lost, HttpStatusCode.Conflict, "TargetHasLicenses");

            // The target holds exactly the winner's units; the loser kept its own.
            var winnerUnits = moves[0].StatusCode == HttpStatusCode.OK ? 1 : 2;
            Assert.Equal(winnerUnits, await UnitsOnAsync(c, empty));
            Assert.Equal(0, await UnitsOnAsync(c, winnerUnits == 1 ? first : second));
            Assert.Equal(winnerUnits == 1 ? 2 : 1, await UnitsOnAsync(c, winnerUnits == 1 ? second : first));
        }

        await AssertBalancedAsync();
    }

    [Fact]
    public async Task Device_status_check_shows_licenses_ssa_end_and_warranty_end_of_a_device_outside_the_company_and_nothing_else()
    {
        var owner = await CompanyAsync();
        var (mac, _) = await DeviceInAsync(owner);
        await BindAsync(owner, mac, 2);
        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Patch, $"/api/v1/companies/{owner.Company}/devices/{mac}", new { name = "Secret name" }, owner.Token)).StatusCode);

        // A member without the right is refused; an admin (every right) sees the status.
        var checker = await CompanyAsync();
        var plainEmail = Api.NewEmail();
        var plain = await _api.RegisterAndLoginAsync(plainEmail);
        Assert.Equal(HttpStatusCode.Created, (await _api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{checker.Company}/users", new { email = plainEmail, rights = Array.Empty<string>() }, checker.Token)).StatusCode);
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{checker.Company}/device-status/{mac}", null, plain), HttpStatusCode.Forbidden, "Forbidden");

        var response = await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{checker.Company}/device-status/{mac.Replace("-", ":", StringComparison.Ordinal)}", null, checker.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var status = (await Api.Json(response)).AsObject();
        Assert.Equal(["licenses", "mac", "ssaEndDate", "warrantyEndDate"], status.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal(mac, status["mac"]!.GetValue<string>());
        var license = status["licenses"]!.AsArray().Single()!.AsObject();
        Assert.Equal(Port8x20, license["type"]!.GetValue<string>());
        Assert.Equal(2, license["units"]!.GetValue<int>());
        Assert.Equal("V13", license["version"]!.GetValue<string>());
        Assert.Null(status["ssaEndDate"]);

        // Registered with ship date 2026-11-01: two years of base warranty, no extension yet.
        Assert.Equal("2028-11-01", status["warrantyEndDate"]!.GetValue<string>());
        Assert.DoesNotContain("Secret name", status.ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain(owner.Company, status.ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain(owner.Project, status.ToJsonString(), StringComparison.Ordinal);

        var unknown = $"00-90-33-{Api.NewMacSuffix()[..2]}-{Api.NewMacSuffix()[..2]}-{Api.NewMacSuffix()[..2]}";
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{checker.Company}/device-status/{unknown}", null, checker.Token), HttpStatusCode.NotFound, "NotFound");
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{checker.Company}/device-status/not-a-mac", null, checker.Token), HttpStatusCode.BadRequest, "InvalidMac");
    }

    [Fact]
    public async Task R_D6_moving_devices_into_a_project_without_ssa_changes_their_project_and_both_device_lists()
    {
        var c = await CompanyAsync();
        var (one, _) = await DeviceInAsync(c);
        var (two, _) = await DeviceInAsync(c);
        var target = await ProjectAsync(c, "Target");
        var path = $"/api/v1/companies/{c.Company}/projects/{target}/devices/move";

        var preview = await Api.Json(await _api.SendAsync(HttpMethod.Post, path, new { macs = new[] { one, two }, dryRun = true }, c.Token));
        Assert.False(preview["confirmed"]!.GetValue<bool>());
        Assert.Null(preview["ssa"]);
        Assert.Equal(2, (await ProjectDevicesAsync(c, c.Project)).Count(m => m == one || m == two));

        var moved = await _api.SendAsync(HttpMethod.Post, path, new { macs = new[] { one, two } }, c.Token);
        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        var body = await Api.Json(moved);
        Assert.True(body["confirmed"]!.GetValue<bool>());
        Assert.All(body["devices"]!.AsArray(), d => Assert.Equal(c.Project, d!["fromProjectId"]!.GetValue<string>()));
        Assert.Equal(new[] { one, two }.Order(StringComparer.Ordinal), (await ProjectDevicesAsync(c, target)).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(one, await ProjectDevicesAsync(c, c.Project));
        Assert.Equal(target, (await Api.Json(await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{c.Company}/devices/{one}", null, c.Token)))["projectId"]!.GetValue<string>());
        var moves = (await HistoryAsync(c, one)).Where(e => e!["action"]!.GetValue<string>() == "DeviceMoved").ToArray();
        Assert.Equal(2, moves.Length);
        Assert.Contains(moves, e => e!["projectId"]!.GetValue<string>() == c.Project && e["details"]!["to"]!.GetValue<string>() == target);
        Assert.Contains(moves, e => e!["projectId"]!.GetValue<string>() == target && e["details"]!["from"]!.GetValue<string>() == c.Project);

        // A device of another company is not found, and too many devices are refused before anything happens.
        var other = await CompanyAsync();
        var (foreign, _) = await DeviceInAsync(other);
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Post, path, new { macs = new[] { foreign } }, c.Token), HttpStatusCode.NotFound, "NotFound");
        var tooMany = Enumerable.Range(0, 51).Select(i => $"00-90-33-ff-00-{i:x2}").ToArray();
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Post, path, new { macs = tooMany }, c.Token), HttpStatusCode.BadRequest, "TooManyDevices");
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Post, path, new { macs = new[] { "zz" } }, c.Token), HttpStatusCode.BadRequest, "InvalidMac");
    }

    [Fact]
    public async Task R_D6_moving_devices_into_a_project_under_ssa_quotes_their_ssa_lots_to_its_end_and_the_confirm_pays_from_its_ssc()
    {
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var c = await CompanyAsync();
        var (mac, _) = await DeviceInAsync(c);
        await BindAsync(c, mac, 2);

        // The source project's SSA runs 30 days; the target's a year (its own SSA costs nothing: no devices yet).
        await RedeemAsync(c, c.Project, new Dictionary<string, int> { ["SSC"] = 1000 });
        var sourceEnd = today.AddDays(30);
        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Put, $"/api/v1/companies/{c.Company}/projects/{c.Project}/ssa", new { endDate = sourceEnd }, c.Token)).StatusCode);
        var target = await ProjectAsync(c, "Under SSA");
        var targetEnd = today.AddDays(395);
        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Put, $"/api/v1/companies/{c.Company}/projects/{target}/ssa", new { endDate = targetEnd }, c.Token)).StatusCode);
        var path = $"/api/v1/companies/{c.Company}/projects/{target}/devices/move";

        // Preview: 2 units × 54 SSC × 365 days once / 365 = 108 SSC; nothing changes.
        var preview = await Api.Json(await _api.SendAsync(HttpMethod.Post, path, new { macs = new[] { mac }, dryRun = true }, c.Token));
        var quote = preview["ssa"]!;
        Assert.Equal(targetEnd.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), quote["endDate"]!.GetValue<string>());
        var lot = quote["lots"]!.AsArray().Single()!;
        Assert.Equal(0, lot["daysTwice"]!.GetValue<int>());
        Assert.Equal(365, lot["daysOnce"]!.GetValue<int>());
        Assert.Equal(108, quote["totalSsc"]!.GetValue<long>());
        Assert.False(preview["confirmed"]!.GetValue<bool>());
        Assert.Contains(mac, await ProjectDevicesAsync(c, c.Project));

        // The target holds no SSC: refused, and the device stays where it was with its SSA end.
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Post, path, new { macs = new[] { mac } }, c.Token), HttpStatusCode.Conflict, "InsufficientSsc");
        Assert.Equal(c.Project, (await DeviceAsync(c, mac))["projectId"]!.GetValue<string>());
        Assert.Equal(sourceEnd, SsaEnd(await DeviceAsync(c, mac)));

        // With SSC in the target: moved, the lot dated to the target's end, 108 SSC paid from the target's balance.
        await RedeemAsync(c, target, new Dictionary<string, int> { ["SSC"] = 200 });
        var confirmed = await _api.SendAsync(HttpMethod.Post, path, new { macs = new[] { mac } }, c.Token);
        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        Assert.Equal(108, (await Api.Json(confirmed))["ssa"]!["totalSsc"]!.GetValue<long>());
        var device = await DeviceAsync(c, mac);
        Assert.Equal(target, device["projectId"]!.GetValue<string>());
        Assert.Equal(targetEnd, SsaEnd(device));
        Assert.Equal(92, (await _api.BalanceAsync(c.Token, c.Company, target))["SSC"]!.GetValue<int>());
        Assert.Contains(mac, await ProjectDevicesAsync(c, target));
        var arrival = Assert.Single(await HistoryAsync(c, mac), e => e!["action"]!.GetValue<string>() == "DeviceMoved" && e["projectId"]!.GetValue<string>() == target)!;
        Assert.Equal("108", arrival["details"]!["ssc"]!.GetValue<string>());

        // Another company's status check sees the new SSA end.
        var checker = await CompanyAsync();
        var status = await Api.Json(await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{checker.Company}/device-status/{mac}", null, checker.Token));
        Assert.Equal(targetEnd.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), status["ssaEndDate"]!.GetValue<string>());
        await AssertBalancedAsync();
    }

    private static DateOnly? SsaEnd(JsonNode device) =>
        device["licenses"]!.AsArray().Single(l => l!["type"]!.GetValue<string>() == Port8x20)!["ssaEndDate"] is { } end
            ? DateOnly.Parse(end.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)
            : null;

    /// <summary>The device's events in the company's history, newest first.</summary>
    private async Task<JsonArray> HistoryAsync(Tenant c, string mac)
    {
        var response = await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{c.Company}/history?context=device&mac={mac}", null, c.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await Api.Json(response))["events"]!.AsArray();
    }

    private async Task<JsonNode> DeviceAsync(Tenant c, string mac) =>
        await Api.Json(await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{c.Company}/devices/{mac}", null, c.Token));

    private async Task<int> UnitsOnAsync(Tenant c, string mac) =>
        (await DeviceAsync(c, mac))["licenses"]!.AsArray().Where(l => l!["type"]!.GetValue<string>() == Port8x20).Sum(l => l!["units"]!.GetValue<int>());

    /// <summary>A company, its admin's token (the creator holds every right, R-U2) and its default project.</summary>
    internal sealed record Tenant(string Token, string Company, string Project);

    private async Task<Tenant> CompanyAsync()
    {
        var token = await _api.RegisterAndLoginAsync();
        var (company, project) = await _api.CreateCompanyAsync(token, "Devices " + Guid.NewGuid().ToString("N")[..6]);
        return new Tenant(token, company, project);
    }

    private async Task<string> ProjectAsync(Tenant c, string name)
    {
        var created = await _api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{c.Company}/projects", new { name }, c.Token);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await Api.Json(created))["projectId"]!.GetValue<string>();
    }

    private async Task<(string Mac, string Secret)> DeviceInAsync(Tenant c)
    {
        var registered = await _api.RegisterHardwareAsync(Api.NewMacSuffix());
        Assert.Equal("added", (await AddAsync(c, c.Project, new { macs = new[] { registered.Mac } }))["status"]!.GetValue<string>());
        return registered;
    }

    private async Task<JsonNode> AddAsync(Tenant c, string project, object body)
    {
        var response = await _api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{c.Company}/projects/{project}/devices", body, c.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await Api.Json(response))["results"]![0]!;
    }

    private async Task RedeemAsync(Tenant c, string project, Dictionary<string, int> licenses)
    {
        var key = await _api.MintKeyAsync(licenses);
        Assert.Equal(HttpStatusCode.Created, (await _api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{c.Company}/projects/{project}/activations", new { key }, c.Token)).StatusCode);
    }

    private async Task BindAsync(Tenant c, string mac, int units)
    {
        var project = (await DeviceAsync(c, mac))["projectId"]!.GetValue<string>();
        await RedeemAsync(c, project, new Dictionary<string, int> { [Port8x20] = units });
        var bound = await _api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{c.Company}/devices/{mac}/licenses", new { version = "V13", licenses = new Dictionary<string, int> { [Port8x20] = units } }, c.Token);
        Assert.Equal(HttpStatusCode.OK, bound.StatusCode);
    }

    private async Task<string[]> ProjectDevicesAsync(Tenant c, string project)
    {
        var response = await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{c.Company}/projects/{project}/devices", null, c.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return [.. (await Api.Json(response)).AsArray().Select(m => m!.GetValue<string>())];
    }

    private async Task AssertBalancedAsync()
    {
        var audit = await Api.Json(await _api.SendAsync(HttpMethod.Get, "/api/v1/vendor/audit", null, LicensingApp.VendorKey));
        Assert.True(audit["balanced"]!.GetValue<bool>(), audit.ToJsonString());
    }
}
