using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace OrleansLicensing.ApiTests;

/// <summary>RMA over HTTP (R-D7, with R-L5) and the vendor's list of an order's devices (R-D1).</summary>
public sealed class RmaTests(SharedApp shared) : IClassFixture<SharedApp>
{
    private const string Port8x20 = "PBX-Port8*20";
    private const string FreedProject = "Freed_RMA_licenses";

    private readonly Api _api = new(shared.App.CreateClient());

    [Fact]
    public async Task R_D7_once_the_vendor_marks_the_arrival_the_licenses_move_without_the_MoveLicenses_right()
    {
        var (admin, company, project) = await CompanyAsync();
        var memberEmail = Api.NewEmail();
        var member = await _api.RegisterAndLoginAsync(memberEmail);
        Assert.Equal(HttpStatusCode.Created, (await _api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{company}/users", new { email = memberEmail, rights = Array.Empty<string>() }, admin)).StatusCode);
        var broken = await DeviceAsync(admin, company, project, units: 3);
        var replacement = await DeviceAsync(admin, company, project, units: 0);
        var move = $"/api/v1/companies/{company}/devices/{broken}/licenses/move";

        // Without the right and without RMA: refused.
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Post, move, new { targetMac = replacement }, member), HttpStatusCode.Forbidden, "Forbidden");

        // The vendor cannot mark an arrival nobody requested; another company cannot request RMA for the device.
        await Api.AssertProblem(await Vendor($"/api/v1/vendor/rma/{broken}/arrived"), HttpStatusCode.Conflict, "InvalidRmaState");
        var (otherAdmin, otherCompany, _) = await CompanyAsync();
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{otherCompany}/devices/{broken}/rma", new { }, otherAdmin), HttpStatusCode.NotFound, "NotFound");

        var requested = await _api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{company}/devices/{broken}/rma", new { reason = "no power" }, member);
        Assert.Equal(HttpStatusCode.OK, requested.StatusCode);
        Assert.Equal("Requested", (await Api.Json(requested))["status"]!.GetValue<string>());

        // Requested is not enough (R-D7: "not before" the arrival); nothing moved.
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Post, move, new { targetMac = replacement }, member), HttpStatusCode.Forbidden, "Forbidden");
        Assert.Equal(3, await UnitsAsync(admin, company, broken));

        var arrived = await Vendor($"/api/v1/vendor/rma/{broken.Replace("-", string.Empty, StringComparison.Ordinal)}/arrived");
        Assert.Equal(HttpStatusCode.OK, arrived.StatusCode);
        Assert.Equal("Arrived", (await Api.Json(arrived))["status"]!.GetValue<string>());

        var listed = (await Api.Json(await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{company}/rma", null, member))).AsArray();
        var entry = Assert.Single(listed)!;
        Assert.Equal(broken, entry["mac"]!.GetValue<string>());
        Assert.Equal("Arrived", entry["status"]!.GetValue<string>());
        Assert.Equal("no power", entry["reason"]!.GetValue<string>());
        Assert.Empty((await Api.Json(await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{otherCompany}/rma", null, otherAdmin))).AsArray());

        var moved = await _api.SendAsync(HttpMethod.Post, move, new { targetMac = replacement }, member);
        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        Assert.Equal(0, await UnitsAsync(admin, company, broken));
        Assert.Equal(3, await UnitsAsync(admin, company, replacement));
        Assert.True((await DeviceViewAsync(admin, company, broken))["rma"]!.GetValue<bool>());

        // The reship then frees nothing: the licenses were moved.
        var reshipped = await Api.Json(await Vendor($"/api/v1/vendor/rma/{broken}/reship"));
        Assert.Equal("Reshipped", reshipped["status"]!.GetValue<string>());
        Assert.Empty(reshipped["freedLicenses"]!.AsArray());
        Assert.DoesNotContain(await ProjectsAsync(admin, company), p => p!["name"]!.GetValue<string>() == FreedProject);
        Assert.Equal(["RmaReshipped", "LicensesMovedOut", "RmaArrived", "RmaRequested", "LicensesAdded", "DeviceAdded"], await ActionsAsync(admin, company, broken));
        await AssertBalancedAsync();
    }

    [Fact]
    public async Task R_D7_a_reshipped_device_leaves_its_unmoved_licenses_in_the_free_pool_of_Freed_RMA_licenses_created_on_demand()
    {
        var (admin, company, project) = await CompanyAsync();
        var first = await DeviceAsync(admin, company, project, units: 3);
        var second = await DeviceAsync(admin, company, project, units: 2);
        var bindDate = (await DeviceViewAsync(admin, company, first))["licenses"]![0]!["bindDate"]!.GetValue<string>();

        await Api.AssertProblem(await Vendor($"/api/v1/vendor/rma/{first}/reship"), HttpStatusCode.Conflict, "InvalidRmaState");
        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{company}/devices/{first}/rma", null, admin)).StatusCode);
        await Api.AssertProblem(await Vendor($"/api/v1/vendor/rma/{first}/reship"), HttpStatusCode.Conflict, "InvalidRmaState");
        Assert.Equal(HttpStatusCode.OK, (await Vendor($"/api/v1/vendor/rma/{first}/arrived")).StatusCode);

        var reship = await Vendor($"/api/v1/vendor/rma/{first}/reship");
        Assert.Equal(HttpStatusCode.OK, reship.StatusCode);
        var body = await Api.Json(reship);
        Assert.Equal("Reshipped", body["status"]!.GetValue<string>());
        var freedProject = body["freedProjectId"]!.GetValue<string>();
        Assert.Equal(3, body["freedLicenses"]!.AsArray().Sum(l => l!["units"]!.GetValue<int>()));

        // The project was created, and its free pool holds the lot with its bind date (R-L1).
        var freed = Assert.Single(await ProjectsAsync(admin, company), p => p!["name"]!.GetValue<string>() == FreedProject);
        Assert.Equal(freedProject, freed!["projectId"]!.GetValue<string>());
        var pool = (await Api.Json(await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{company}/projects/{freedProject}/free-licenses", null, admin))).AsArray();
        var lot = Assert.Single(pool)!;
        Assert.Equal(Port8x20, lot["type"]!.GetValue<string>());
        Assert.Equal(3, lot["units"]!.GetValue<int>());
        Assert.Equal(bindDate, lot["bindDate"]!.GetValue<string>());

        // The device left the company and holds nothing; a repeated reship answers the same.
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{company}/devices/{first}", null, admin), HttpStatusCode.NotFound, "NotFound");
        Assert.DoesNotContain(first, (await Api.Json(await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{company}/projects/{project}/devices", null, admin))).AsArray().Select(m => m!.GetValue<string>()));
        var again = await Api.Json(await Vendor($"/api/v1/vendor/rma/{first}/reship"));
        Assert.Equal(freedProject, again["freedProjectId"]!.GetValue<string>());
        Assert.Equal(3, again["freedLicenses"]!.AsArray().Sum(l => l!["units"]!.GetValue<int>()));
        Assert.Single((await Api.Json(await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{company}/projects/{freedProject}/free-licenses", null, admin))).AsArray());

        // A second reship reuses the project: one project of that name, two lots in its pool.
        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{company}/devices/{second}/rma", null, admin)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Vendor($"/api/v1/vendor/rma/{second}/arrived")).StatusCode);
        Assert.Equal(freedProject, (await Api.Json(await Vendor($"/api/v1/vendor/rma/{second}/reship")))["freedProjectId"]!.GetValue<string>());
        Assert.Single(await ProjectsAsync(admin, company), p => p!["name"]!.GetValue<string>() == FreedProject);
        Assert.Equal(2, (await Api.Json(await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{company}/projects/{freedProject}/free-licenses", null, admin))).AsArray().Count);

        Assert.Equal(["LicensesReturnedToFreePool", "RmaReshipped", "RmaArrived", "RmaRequested", "LicensesAdded", "DeviceAdded"], await ActionsAsync(admin, company, first));
        var rmas = (await Api.Json(await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{company}/rma", null, admin))).AsArray();
        Assert.Equal(["Reshipped", "Reshipped"], rmas.Select(r => r!["status"]!.GetValue<string>()));
        await AssertBalancedAsync();
    }

    [Fact]
    public async Task R_D7_a_project_named_like_Freed_RMA_licenses_in_another_case_is_used_rather_than_a_second_one()
    {
        var (admin, company, project) = await CompanyAsync();
        var existing = await _api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{company}/projects", new { name = "FREED_rma_LICENSES" }, admin);
        Assert.Equal(HttpStatusCode.Created, existing.StatusCode);
        var existingId = (await Api.Json(existing))["projectId"]!.GetValue<string>();
        var mac = await DeviceAsync(admin, company, project, units: 1);
        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{company}/devices/{mac}/rma", null, admin)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Vendor($"/api/v1/vendor/rma/{mac}/arrived")).StatusCode);
        Assert.Equal(existingId, (await Api.Json(await Vendor($"/api/v1/vendor/rma/{mac}/reship")))["freedProjectId"]!.GetValue<string>());
        Assert.Single(await ProjectsAsync(admin, company), p => string.Equals(p!["name"]!.GetValue<string>(), FreedProject, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task R_D1_the_vendor_lists_an_orders_devices_as_json_and_csv_without_secrets()
    {
        var order = "SO-LIST-" + Guid.NewGuid().ToString("N")[..8];
        var macs = Enumerable.Range(0, 3).Select(_ => Api.NewMacSuffix()).ToArray();
        var registered = await _api.SendAsync(HttpMethod.Post, "/api/v1/vendor/hardware", new
        {
            devices = new object[]
            {
                new { mac = macs[0], deviceType = "IP6000", orderNumber = order, shipDate = "2026-10-01", certificatePublicKey = "MCowBQYDK2VwAyEA" + new string('A', 44) },
                new { mac = macs[1], deviceType = "IP1200", orderNumber = order, shipDate = "2026-10-02" },
                new { mac = macs[2], deviceType = "IP800", orderNumber = order, shipDate = "2026-10-03" },
            },
        }, LicensingApp.VendorKey);
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var secrets = (await Api.Json(registered))["devices"]!.AsArray().Select(d => d!["deviceSecret"]!.GetValue<string>()).ToArray();

        var json = await _api.SendAsync(HttpMethod.Get, $"/api/v1/vendor/orders/{order}/devices", null, LicensingApp.VendorKey);
        Assert.Equal(HttpStatusCode.OK, json.StatusCode);
        var devices = (await Api.Json(json)).AsArray();
        Assert.Equal(3, devices.Count);
        var first = devices.Single(d => d!["mac"]!.GetValue<string>() == $"00-90-33-{macs[0][..2]}-{macs[0][2..4]}-{macs[0][4..]}")!;
        Assert.Equal("IP6000", first["deviceType"]!.GetValue<string>());
        Assert.Equal("2026-10-01", first["shipDate"]!.GetValue<string>());
        Assert.True(first["registeredWithCertificate"]!.GetValue<bool>());

        var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/vendor/orders/{order}/devices");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", LicensingApp.VendorKey);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));
        var csv = await _api.Http.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        var lines = (await csv.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("mac,deviceType,shipDate,registeredWithCertificate", lines[0]);
        Assert.Equal(4, lines.Length);
        Assert.Contains(lines, l => l.EndsWith(",IP6000,2026-10-01,yes", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.EndsWith(",IP1200,2026-10-02,no", StringComparison.Ordinal));
        var text = string.Join('\n', lines) + devices.ToJsonString();
        Assert.All(secrets, s => Assert.DoesNotContain(s, text, StringComparison.Ordinal));

        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Get, "/api/v1/vendor/orders/no-such-order/devices", null, LicensingApp.VendorKey), HttpStatusCode.NotFound, "NotFound");
        var user = await _api.RegisterAndLoginAsync();
        Assert.Equal(HttpStatusCode.Forbidden, (await _api.SendAsync(HttpMethod.Get, $"/api/v1/vendor/orders/{order}/devices", null, user)).StatusCode);
    }

    [Fact]
    public async Task R_D1_adding_by_order_number_adds_every_device_of_the_order_with_a_result_each()
    {
        // 600 devices: more than one chunk of the project's device list (500) and far more than a list add's 50.
        var order = "SO-ADD-" + Guid.NewGuid().ToString("N")[..8];
        HttpResponseMessage registered;
        var attempt = 0;
        do
        {
            // Random MACs of other tests may fall into the block: then another block (all or nothing, nothing registered).
            var first = Convert.ToInt32(Api.NewMacSuffix()[..2], 16) << 16;
            var macs = Enumerable.Range(0, 600).Select(i => (first + (i * 7)).ToString("x6", System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            registered = await _api.SendAsync(HttpMethod.Post, "/api/v1/vendor/hardware",
                new { devices = macs.Select(mac => new { mac, deviceType = "IP800", orderNumber = order, shipDate = "2026-11-02" }).ToArray() }, LicensingApp.VendorKey);
        }
        while (registered.StatusCode == HttpStatusCode.Conflict && ++attempt < 5);

        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var (admin, company, project) = await CompanyAsync();
        var path = $"/api/v1/companies/{company}/projects/{project}/devices";
        var added = (await Api.Json(await _api.SendAsync(HttpMethod.Post, path, new { orderNumber = order }, admin)))["results"]!.AsArray();
        Assert.Equal(600, added.Count);
        Assert.All(added, r => Assert.Equal("added", r!["status"]!.GetValue<string>()));
        var listed = (await Api.Json(await _api.SendAsync(HttpMethod.Get, path, null, admin))).AsArray().Select(m => m!.GetValue<string>()).ToHashSet();
        Assert.Equal(600, listed.Count);
        Assert.All(added, r => Assert.Contains(r!["mac"]!.GetValue<string>(), listed));

        // Again: every device reports AlreadyInCompany, nothing changes.
        var again = (await Api.Json(await _api.SendAsync(HttpMethod.Post, path, new { orderNumber = order }, admin)))["results"]!.AsArray();
        Assert.All(again, r => Assert.Equal("AlreadyInCompany", r!["code"]!.GetValue<string>()));
        Assert.Equal(600, (await Api.Json(await _api.SendAsync(HttpMethod.Get, path, null, admin))).AsArray().Count);
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Post, path, new { orderNumber = "SO-NOBODY-" + Guid.NewGuid().ToString("N")[..6] }, admin), HttpStatusCode.NotFound, "NotFound");
    }

    private Task<HttpResponseMessage> Vendor(string path) => _api.SendAsync(HttpMethod.Post, path, null, LicensingApp.VendorKey);

    private async Task<(string Token, string Company, string Project)> CompanyAsync()
    {
        var token = await _api.RegisterAndLoginAsync();
        var (company, project) = await _api.CreateCompanyAsync(token, "RMA " + Guid.NewGuid().ToString("N")[..6]);
        return (token, company, project);
    }

    /// <summary>A registered device in the project with <paramref name="units"/> port packages bound (none for 0).</summary>
    private async Task<string> DeviceAsync(string token, string company, string project, int units)
    {
        var (mac, _) = await _api.RegisterHardwareAsync(Api.NewMacSuffix());
        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{company}/projects/{project}/devices", new { macs = new[] { mac } }, token)).StatusCode);
        if (units > 0)
        {
            var key = await _api.MintKeyAsync(new Dictionary<string, int> { [Port8x20] = units });
            Assert.Equal(HttpStatusCode.Created, (await _api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{company}/projects/{project}/activations", new { key }, token)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{company}/devices/{mac}/licenses", new { version = "V13", licenses = new Dictionary<string, int> { [Port8x20] = units } }, token)).StatusCode);
        }

        return mac;
    }

    private async Task<JsonNode> DeviceViewAsync(string token, string company, string mac) =>
        await Api.Json(await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{company}/devices/{mac}", null, token));

    private async Task<int> UnitsAsync(string token, string company, string mac) =>
        (await DeviceViewAsync(token, company, mac))["licenses"]!.AsArray().Sum(l => l!["units"]!.GetValue<int>());

    private async Task<string[]> ActionsAsync(string token, string company, string mac) =>
        [.. (await Api.Json(await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{company}/history?context=device&mac={mac}", null, token)))["events"]!.AsArray().Select(e => e!["action"]!.GetValue<string>())];

    private async Task<JsonArray> ProjectsAsync(string token, string company) =>
        (await Api.Json(await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{company}/projects", null, token))).AsArray();

    private async Task AssertBalancedAsync()
    {
        var audit = await Api.Json(await _api.SendAsync(HttpMethod.Get, "/api/v1/vendor/audit", null, LicensingApp.VendorKey));
        Assert.True(audit["balanced"]!.GetValue<bool>(), audit.ToJsonString());
    }
}
