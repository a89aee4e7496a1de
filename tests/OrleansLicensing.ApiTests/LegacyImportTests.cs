using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace OrleansLicensing.ApiTests;

/// <summary>The old license manager's export over HTTP (R-I1..R-I3, docs/import.md): load, claim, import, conservation.</summary>
public sealed class LegacyImportTests(DeviceOpsApp node) : IClassFixture<DeviceOpsApp>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly Api _api = new(node.App.CreateClient());

    /// <summary>The password hash the export carries, computed here by the documented recipe (docs/import.md), independently of the service.</summary>
    private static object Hash(string password, string algorithm = "pbkdf2-sha256", int iterations = 2_000)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var name = algorithm == "pbkdf2-sha1" ? HashAlgorithmName.SHA1 : HashAlgorithmName.SHA256;
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, name, 32);
        return new { algorithm, iterations, salt = Convert.ToBase64String(salt), hash = Convert.ToBase64String(hash) };
    }

    private static string Canonical(string suffix) => $"00-90-33-{suffix[..2]}-{suffix[2..4]}-{suffix[4..]}";

    private static object License(string type, int units, string user, string version = "V8", string bindDate = "2010-03-01") =>
        new { type, units, version, bindDate, user };

    /// <summary>An old group of two users (one with a second login), its balance and three devices: one of them with licenses of both users.</summary>
    private sealed record OldWorld(string ExportId, string Login, string OtherLogin, string Password, string Group, string Single, string Several, string Unregistered);

    private async Task<OldWorld> LoadOldWorldAsync(int parts = 1, string? registeredMac = null)
    {
        var tag = Guid.NewGuid().ToString("N")[..10];
        var world = new OldWorld($"lm-{tag}", $"alice-{tag}", $"bob-{tag}", "old-secret-1", $"grp-{tag}",
            registeredMac ?? Canonical(Api.NewMacSuffix()), Canonical(Api.NewMacSuffix()), Canonical(Api.NewMacSuffix()));
        var accounts = new object[]
        {
            new { login = world.Login.ToUpperInvariant(), group = world.Group, password = Hash(world.Password) },
            new { login = world.OtherLogin, group = world.Group, password = Hash("bobs-old-one", "pbkdf2-sha1", 1_000) },
        };
        var groups = new object[] { new { id = world.Group, name = "Old Reseller", balance = new Dictionary<string, int> { ["PBX-Port8"] = 30, ["PBX-Mobility"] = 4 } } };
        var devices = new object[]
        {
            new { mac = world.Single, deviceType = "IP6000", licenses = new[] { License("PBX-Port8*20", 1, world.Login), License("PBX-Voicemail", 20, world.Login) } },
            new { mac = world.Several, deviceType = "IP800", licenses = new[] { License("PBX-Port8", 5, world.Login), License("PBX-Mobility", 2, world.OtherLogin) } },
            new { mac = world.Unregistered, deviceType = "IP0011", licenses = new[] { License("PBX-Port8*5", 2, world.OtherLogin, "V9", "2012-01-10") } },
        };

        // Parts are cut as the vendor may cut them: accounts and groups in one, devices spread over the others.
        for (var part = 0; part < parts; part++)
        {
            var body = new
            {
                exportId = world.ExportId,
                part,
                of = parts,
                accounts = part == parts - 1 ? accounts : [],
                groups = part == parts - 1 ? groups : [],
                devices = devices.Where((_, i) => i % parts == part).ToArray(),
            };
            var uploaded = await _api.SendAsync(HttpMethod.Post, "/api/v1/vendor/import", body, LicensingApp.VendorKey);
            Assert.True(uploaded.StatusCode == HttpStatusCode.Accepted, await uploaded.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
            Assert.Equal(part + 1, (await Api.Json(uploaded))["partsReceived"]!.GetValue<int>());
        }

        await WaitAsync($"/api/v1/vendor/import/{world.ExportId}", LicensingApp.VendorKey, "load");
        return world;
    }

    private async Task<JsonNode> WaitAsync(string url, string token, string member)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var body = await Api.Json(await _api.SendAsync(HttpMethod.Get, url, null, token));
            var state = body[member]!["state"]!.GetValue<string>();
            if (state != "running")
            {
                Assert.Equal("completed", state);
                return body;
            }

            Assert.True(DateTime.UtcNow < deadline, $"{url} did not complete within {Patience}");
            await Task.Delay(200, TestContext.Current.CancellationToken);
        }
    }

    private async Task<JsonNode> ImportAsync(DeviceCompany company, string projectId, object body)
    {
        return await FinishedAsync(company, await company.PostAsync($"/projects/{projectId}/legacy/imports", body));
    }

    /// <summary>The import's result: at once (200), or from its status URL once done (202 under load).</summary>
    private async Task<JsonNode> FinishedAsync(DeviceCompany company, HttpResponseMessage response)
    {
        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var result = await Api.Json(response);
        return response.StatusCode == HttpStatusCode.OK ? result : await WaitAsync(result["status"]!["statusUrl"]!.GetValue<string>(), company.Token, "status");
    }

    private async Task<Dictionary<string, long>> MintedAsync()
    {
        var audit = await Api.Json(await _api.SendAsync(HttpMethod.Get, "/api/v1/vendor/audit", null, LicensingApp.VendorKey));
        return audit["licenseTypes"]!.AsArray().ToDictionary(l => l!["type"]!.GetValue<string>(), l => l!["minted"]!.GetValue<long>());
    }

    private static Dictionary<string, string> Results(JsonNode import) =>
        import["devices"]!.AsArray().ToDictionary(d => d!["mac"]!.GetValue<string>(), d => d!["status"]!.GetValue<string>() + (d["code"] is JsonNode code ? ":" + code.GetValue<string>() : string.Empty));

    [Fact]
    public async Task R_I1_the_vendor_loads_an_export_in_parts_and_nothing_is_minted()
    {
        node.Clock.Set(new DateTimeOffset(2031, 8, 1, 9, 0, 0, TimeSpan.Zero));
        var before = await MintedAsync();
        var world = await LoadOldWorldAsync(parts: 3);
        var after = await MintedAsync();
        Assert.Equal(before.GetValueOrDefault("PBX-Port8"), after.GetValueOrDefault("PBX-Port8"));
        Assert.Equal(before.GetValueOrDefault("PBX-Mobility"), after.GetValueOrDefault("PBX-Mobility"));
        var status = await Api.Json(await _api.SendAsync(HttpMethod.Get, $"/api/v1/vendor/import/{world.ExportId}", null, LicensingApp.VendorKey));
        Assert.Equal(3, status["partsReceived"]!.GetValue<int>());
        Assert.Equal(6, status["load"]!["batchesDone"]!.GetValue<long>());

        // The same part again is accepted; other contents under its number, bad data and a user's token are refused.
        var company = await DeviceCompany.CreateAsync(_api);
        var bad = new { exportId = $"x-{Guid.NewGuid():N}", devices = new[] { new { mac = "not-a-mac", deviceType = "IP6000" } } };
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Post, "/api/v1/vendor/import", bad, LicensingApp.VendorKey), HttpStatusCode.BadRequest, "InvalidMac");
        var tooMany = new { exportId = $"x-{Guid.NewGuid():N}", devices = new[] { new { mac = Api.NewMacSuffix(), deviceType = "IP6000", licenses = new[] { License("Relay-PRI", 9, "x") } } } };
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Post, "/api/v1/vendor/import", tooMany, LicensingApp.VendorKey), (HttpStatusCode)422, "ConsistencyViolation");
        var weakHash = new { exportId = $"x-{Guid.NewGuid():N}", accounts = new[] { new { login = "x", group = "g", password = new { algorithm = "md5", iterations = 1, salt = "AAAAAAAAAAA=", hash = "AAAAAAAAAAAAAAAAAAAAAA==" } } } };
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Post, "/api/v1/vendor/import", weakHash, LicensingApp.VendorKey), HttpStatusCode.BadRequest, "ValidationFailed");
        Assert.Equal(HttpStatusCode.Forbidden, (await _api.SendAsync(HttpMethod.Post, "/api/v1/vendor/import", bad, company.Token)).StatusCode);
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Get, $"/api/v1/vendor/import/{bad.exportId}", null, LicensingApp.VendorKey), HttpStatusCode.NotFound, "NotFound");
    }

    [Fact]
    public async Task R_I2_an_admin_claims_an_old_account_sees_the_group_and_imports_balance_and_devices_minted_as_Import_once()
    {
        node.Clock.Set(new DateTimeOffset(2031, 8, 2, 9, 0, 0, TimeSpan.Zero));
        var world = await LoadOldWorldAsync();
        var company = await DeviceCompany.CreateAsync(_api);
        var before = await MintedAsync();

        await Api.AssertProblem(await company.PostAsync("/legacy/claims", new { login = world.Login, password = "wrong-password" }), HttpStatusCode.Forbidden, "LegacyCredentialsInvalid");
        await Api.AssertProblem(await company.PostAsync("/legacy/claims", new { login = "nobody-" + world.Login, password = world.Password }), HttpStatusCode.Forbidden, "LegacyCredentialsInvalid");
        await Api.AssertProblem(await company.PostAsync($"/projects/{company.ProjectId}/legacy/imports", new { groupId = world.Group, allDevices = true }), HttpStatusCode.NotFound, "NotFound");

        // The old login is matched without regard to case, the password by its PBKDF2 hash.
        var claimed = await company.PostAsync("/legacy/claims", new { login = world.Login.ToUpperInvariant(), password = world.Password });
        Assert.Equal(HttpStatusCode.Created, claimed.StatusCode);
        var group = await Api.Json(claimed);
        Assert.Equal(world.Group, group["groupId"]!.GetValue<string>());
        Assert.Equal(30, group["balance"]!["PBX-Port8"]!.GetValue<int>());
        Assert.Equal(3, group["deviceCount"]!.GetValue<int>());
        Assert.Null(group["balanceImported"]);

        var page = await Api.Json(await _api.SendAsync(HttpMethod.Get, $"{company.Base}/legacy/groups/{world.Group}/devices", null, company.Token));
        var listed = page["devices"]!.AsArray().ToDictionary(d => d!["mac"]!.GetValue<string>());
        Assert.Equal(new[] { world.Several, world.Single, world.Unregistered }.Order(StringComparer.Ordinal), listed.Keys.Order(StringComparer.Ordinal));
        Assert.True(listed[world.Several]!["severalUsers"]!.GetValue<bool>());
        Assert.False(listed[world.Single]!["severalUsers"]!.GetValue<bool>());

        // Import the balance and all devices; the vendor never registered one of them: it becomes a device as the old table implies.
        var import = await ImportAsync(company, company.ProjectId, new { groupId = world.Group, allDevices = true });
        Assert.Equal(30, import["balance"]!["PBX-Port8"]!.GetValue<int>());
        Assert.False(import["ssaExtended"]!.GetValue<bool>());
        var results = Results(import);
        Assert.Equal("imported", results[world.Single]);
        Assert.Equal("warning:SeveralUsers", results[world.Several]);
        Assert.Equal("imported", results[world.Unregistered]);
        Assert.Equal(30, await company.BalanceOfAsync("PBX-Port8"));
        Assert.Equal(4, await company.BalanceOfAsync("PBX-Mobility"));
        Assert.Equal(20, await company.UnitsOnAsync(world.Single, "PBX-Voicemail"));
        Assert.Equal(2, await company.UnitsOnAsync(world.Several, "PBX-Mobility"));
        Assert.Equal(2, await company.UnitsOnAsync(world.Unregistered, "PBX-Port8*5"));
        var lot = (await company.LotsAsync(world.Unregistered)).Single()!;
        Assert.Equal("V9", lot["version"]!.GetValue<string>());
        Assert.Equal("2012-01-10", lot["bindDate"]!.GetValue<string>());
        Assert.Equal(2, import["counts"]!["imported"]!.GetValue<int>());
        Assert.Equal(1, import["counts"]!["warning"]!.GetValue<int>());

        // The result reads again a page at a time, in MAC order.
        var statusUrl = import["status"]!["statusUrl"]!.GetValue<string>();
        var second = await Api.Json(await _api.SendAsync(HttpMethod.Get, statusUrl + "?offset=1&limit=1", null, company.Token));
        Assert.Equal(1, second["offset"]!.GetValue<int>());
        Assert.Equal(new[] { world.Several, world.Single, world.Unregistered }.Order(StringComparer.Ordinal).ElementAt(1), Assert.Single(second["devices"]!.AsArray())!["mac"]!.GetValue<string>());
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Get, statusUrl + "?limit=0", null, company.Token), HttpStatusCode.BadRequest, "ValidationFailed");
        var devices = (await Api.Json(await _api.SendAsync(HttpMethod.Get, $"{company.Base}/projects/{company.ProjectId}/devices", null, company.Token))).AsArray().Select(d => d!.ToJsonString()).ToArray();
        Assert.Contains(devices, d => d.Contains(world.Unregistered, StringComparison.Ordinal));

        // Minted with source Import: the mint ledger grew by exactly the balance and the devices' units; the audit balances.
        var after = await MintedAsync();
        Assert.Equal(30 + 5, after["PBX-Port8"] - before.GetValueOrDefault("PBX-Port8"));
        Assert.Equal(4 + 2, after["PBX-Mobility"] - before.GetValueOrDefault("PBX-Mobility"));
        await company.AssertAuditBalancedAsync();

        // Locked: a second import — here by another company claiming the same group with the other login — mints nothing.
        var other = await DeviceCompany.CreateAsync(_api, "Second claimer");
        Assert.Equal(HttpStatusCode.Created, (await other.PostAsync("/legacy/claims", new { login = world.OtherLogin, password = "bobs-old-one" })).StatusCode);
        var again = await ImportAsync(other, other.ProjectId, new { groupId = world.Group, allDevices = true });
        Assert.Null(again["balance"]);
        Assert.Equal("AlreadyImported", again["balanceCode"]!.GetValue<string>());
        Assert.All(Results(again).Values, r => Assert.Equal("error:AlreadyImported", r));
        Assert.Equal(0, await other.BalanceOfAsync("PBX-Port8"));
        Assert.Equal(after["PBX-Port8"], (await MintedAsync())["PBX-Port8"]);
        var view = await Api.Json(await _api.SendAsync(HttpMethod.Get, $"{other.Base}/legacy/claims", null, other.Token));
        Assert.Equal(company.ProjectId, view[0]!["balanceImported"]!["projectId"]!.GetValue<string>());

        var actions = (await company.HistoryAsync()).Select(e => e["action"]!.GetValue<string>()).ToArray();
        Assert.Contains("LegacyAccountClaimed", actions);
        Assert.Equal(4, actions.Count(a => a == "LegacyImported"));
    }

    [Fact]
    public async Task R_I2_selected_devices_go_to_one_project_the_rest_later_to_another_and_a_device_in_the_company_is_AlreadyInCompany()
    {
        node.Clock.Set(new DateTimeOffset(2031, 8, 3, 9, 0, 0, TimeSpan.Zero));
        var company = await DeviceCompany.CreateAsync(_api);
        var (mine, _) = await company.DeviceAsync("IP6000");
        var world = await LoadOldWorldAsync(registeredMac: mine);
        Assert.Equal(HttpStatusCode.Created, (await company.PostAsync("/legacy/claims", new { login = world.Login, password = world.Password })).StatusCode);
        await company.FundAsync(new() { ["PBX-Port8"] = 1 });
        var second = await company.ProjectAsync("Second");

        var first = await ImportAsync(company, second, new { groupId = world.Group, macs = new[] { world.Several }, includeBalance = false });
        Assert.Null(first["balance"]);
        Assert.Equal("warning:SeveralUsers", Results(first)[world.Several]);
        Assert.Equal(0, await company.BalanceOfAsync("PBX-Port8", second));

        // The device already in the company holds licenses now: AlreadyInCompany; the rest goes to the default project.
        var lots = await company.PostAsync($"/devices/{mine}/licenses", new { version = "V8", licenses = new Dictionary<string, int> { ["PBX-Port8"] = 1 } });
        Assert.Equal(HttpStatusCode.OK, lots.StatusCode);
        var rest = await ImportAsync(company, company.ProjectId, new { groupId = world.Group, allDevices = true });
        var results = Results(rest);
        Assert.Equal("error:AlreadyInCompany", results[mine]);
        Assert.Equal("error:AlreadyImported", results[world.Several]);
        Assert.Equal("imported", results[world.Unregistered]);
        Assert.Equal(30, await company.BalanceOfAsync("PBX-Port8"));
        Assert.Equal(1, await company.UnitsOnAsync(mine, "PBX-Port8"));
        await company.AssertAuditBalancedAsync();
    }

    [Fact]
    public async Task R_I2_one_mac_is_imported_alone_by_its_owner_with_the_device_secret_without_touching_the_old_balance()
    {
        node.Clock.Set(new DateTimeOffset(2031, 8, 4, 9, 0, 0, TimeSpan.Zero));
        var owner = await DeviceCompany.CreateAsync(_api, "Owner");
        var registered = await _api.SendAsync(HttpMethod.Post, "/api/v1/vendor/hardware",
            new { devices = new[] { new { mac = Api.NewMacSuffix(), deviceType = "IP6000", orderNumber = "SO-OLD", shipDate = "2010-01-05" } } }, LicensingApp.VendorKey);
        var device = (await Api.Json(registered))["devices"]![0]!;
        var (mac, secret) = (device["mac"]!.GetValue<string>(), device["deviceSecret"]!.GetValue<string>());
        var world = await LoadOldWorldAsync(registeredMac: mac);

        await Api.AssertProblem(await owner.PostAsync($"/projects/{owner.ProjectId}/legacy/devices", new { mac, deviceSecret = "0000" }), HttpStatusCode.Conflict, "DeviceInOtherCompany");
        await Api.AssertProblem(await owner.PostAsync($"/projects/{owner.ProjectId}/legacy/devices", new { mac = Api.NewMacSuffix(), deviceSecret = secret }), HttpStatusCode.NotFound, "NotFound");

        var imported = await owner.PostAsync($"/projects/{owner.ProjectId}/legacy/devices", new { mac, deviceSecret = secret });
        var result = await FinishedAsync(owner, imported);
        Assert.Equal("imported", Results(result)[mac]);
        Assert.Null(result["balance"]);
        Assert.Equal(1, await owner.UnitsOnAsync(mac, "PBX-Port8*20"));
        Assert.Equal(0, await owner.BalanceOfAsync("PBX-Port8"));
        await Api.AssertProblem(await owner.PostAsync($"/projects/{owner.ProjectId}/legacy/devices", new { mac, deviceSecret = secret }), HttpStatusCode.Conflict, "AlreadyImported");

        // The old group's balance is untouched: its claimer still imports it, and the owner's device reports AlreadyImported.
        var claimer = await DeviceCompany.CreateAsync(_api, "Claimer");
        var group = await Api.Json(await claimer.PostAsync("/legacy/claims", new { login = world.Login, password = world.Password }));
        Assert.Null(group["balanceImported"]);
        var import = await ImportAsync(claimer, claimer.ProjectId, new { groupId = world.Group, macs = new[] { mac } });
        Assert.Equal(30, import["balance"]!["PBX-Port8"]!.GetValue<int>());
        Assert.Equal("error:AlreadyImported", Results(import)[mac]);
        await owner.AssertAuditBalancedAsync();
    }

    [Fact]
    public async Task R_I3_an_import_into_a_project_under_SSA_does_not_extend_SSA_and_offers_the_SSA_quote()
    {
        node.Clock.SetDay(new DateOnly(2031, 8, 5));
        var world = await LoadOldWorldAsync();
        var company = await DeviceCompany.CreateAsync(_api);
        var ssa = await _api.SendAsync(HttpMethod.Put, $"{company.Base}/projects/{company.ProjectId}/ssa", new { endDate = "2032-12-31" }, company.Token);
        Assert.Equal(HttpStatusCode.OK, ssa.StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await company.PostAsync("/legacy/claims", new { login = world.Login, password = world.Password })).StatusCode);

        var import = await ImportAsync(company, company.ProjectId, new { groupId = world.Group, macs = new[] { world.Single }, includeBalance = false });
        Assert.Equal("imported", Results(import)[world.Single]);
        Assert.False(import["ssaExtended"]!.GetValue<bool>());
        Assert.Equal("2032-12-31", import["ssaEndDate"]!.GetValue<string>());
        Assert.All(await company.LotsAsync(world.Single), lot => Assert.Null(lot!["ssaEndDate"]));

        // The quote is the one of PUT …/ssa for today: every imported lot, priced, not yet paid.
        var quote = import["ssaQuote"]!;
        Assert.False(quote["confirmed"]!.GetValue<bool>());
        Assert.True(quote["confirmable"]!.GetValue<bool>());
        Assert.Equal("2032-12-31", quote["endDate"]!.GetValue<string>());
        var quoted = quote["lots"]!.AsArray().Where(l => l!["mac"]!.GetValue<string>() == world.Single).ToArray();
        Assert.Equal(["PBX-Port8*20", "PBX-Voicemail"], quoted.Select(l => l!["type"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.True(quote["totalSsc"]!.GetValue<long>() > 0);

        // A project without SSA gets no quote.
        var plain = await company.ProjectAsync("No SSA");
        var other = await ImportAsync(company, plain, new { groupId = world.Group, macs = new[] { world.Unregistered }, includeBalance = false });
        Assert.Null(other["ssaQuote"]);
        Assert.Null(other["ssaEndDate"]);
    }

    [Fact]
    public async Task R_C2_after_import_return_convert_and_re_add_the_audit_shows_no_difference()
    {
        node.Clock.SetDay(new DateOnly(2031, 8, 6));
        var world = await LoadOldWorldAsync();
        var company = await DeviceCompany.CreateAsync(_api);
        Assert.Equal(HttpStatusCode.Created, (await company.PostAsync("/legacy/claims", new { login = world.Login, password = world.Password })).StatusCode);
        await ImportAsync(company, company.ProjectId, new { groupId = world.Group, allDevices = true });
        await company.AssertAuditBalancedAsync();

        // Return: through RMA the imported lots go to the free pool of Freed_RMA_licenses.
        Assert.Equal(HttpStatusCode.OK, (await company.PostAsync($"/devices/{world.Several}/rma", new { reason = "dead" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Post, $"/api/v1/vendor/rma/{world.Several}/arrived", null, LicensingApp.VendorKey)).StatusCode);
        var freed = (await Api.Json(await _api.SendAsync(HttpMethod.Post, $"/api/v1/vendor/rma/{world.Several}/reship", null, LicensingApp.VendorKey)))["freedProjectId"]!.GetValue<string>();
        await company.AssertAuditBalancedAsync();

        // Convert: one year of SSC per unit, paid from the freed project's balance (funded by a key), consumed.
        var pool = (await Api.Json(await _api.SendAsync(HttpMethod.Get, $"{company.Base}/projects/{freed}/free-licenses", null, company.Token))).AsArray();
        Assert.Equal(2, pool.Count);
        await company.FundAsync(new() { ["SSC"] = 100 }, freed);
        var converted = await company.PostAsync($"/projects/{freed}/free-licenses/convert", new { lotIds = pool.Select(l => l!["lotId"]!.GetValue<string>()).ToArray() });
        Assert.Equal(HttpStatusCode.OK, converted.StatusCode);
        Assert.Equal(100 - (5 * 3) - (2 * 2), await company.BalanceOfAsync("SSC", freed));
        await company.AssertAuditBalancedAsync();

        // Re-add: the converted units and the imported balance onto another device, drawn from both projects.
        var (target, _) = await company.DeviceAsync("IP6000");
        var added = await company.PostAsync($"/devices/{target}/licenses", new { version = "V8", licenses = new Dictionary<string, int> { ["PBX-Port8"] = 35 }, fromProjects = new[] { freed } });
        Assert.True(added.IsSuccessStatusCode, await added.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(35, await company.UnitsOnAsync(target, "PBX-Port8"));
        Assert.Equal(0, await company.BalanceOfAsync("PBX-Port8", freed));
        await company.AssertAuditBalancedAsync();
    }
}
