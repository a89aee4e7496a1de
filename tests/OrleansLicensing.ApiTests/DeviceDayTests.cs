using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace OrleansLicensing.ApiTests;

/// <summary>Races on device moves (R-L5) and a scripted day of device operations, audited and counted in the history.</summary>
public sealed class DeviceDayTests(DeviceOpsApp node) : IClassFixture<DeviceOpsApp>
{
    private const string Port8x20 = "PBX-Port8*20";

    private readonly Api _api = new(node.App.CreateClient());

    [Fact]
    public async Task R_L5_two_concurrent_moves_from_different_devices_to_the_same_empty_device_exactly_one_succeeds()
    {
        node.Clock.SetDay(new DateOnly(2031, 8, 1));
        var company = await DeviceCompany.CreateAsync(_api);
        const int Rounds = 20;
        await company.FundAsync(new() { [Port8x20] = 2 * Rounds, ["Relay-PRI"] = Rounds });
        for (var round = 0; round < Rounds; round++)
        {
            var (a, _) = await company.DeviceAsync();
            var (b, _) = await company.DeviceAsync();
            var (target, _) = await company.DeviceAsync();
            Assert.Equal(HttpStatusCode.OK, (await company.PostAsync($"/devices/{a}/licenses", new { version = "V13", licenses = new Dictionary<string, int> { [Port8x20] = 2 } })).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await company.PostAsync($"/devices/{b}/licenses", new { version = "V13", licenses = new Dictionary<string, int> { ["Relay-PRI"] = 1 } })).StatusCode);

            var moves = await Task.WhenAll(
                company.PostAsync($"/devices/{a}/licenses/move", new { targetMac = target }),
                company.PostAsync($"/devices/{b}/licenses/move", new { targetMac = target }));
            var winners = moves.Where(m => m.StatusCode == HttpStatusCode.OK).ToArray();
            Assert.Single(winners);
            await Api.AssertProblem(moves.Single(m => m.StatusCode != HttpStatusCode.OK), HttpStatusCode.Conflict, "TargetHasLicenses");

            // The target holds exactly the winner's lots; the loser keeps its own.
            var aWon = moves[0].StatusCode == HttpStatusCode.OK;
            Assert.Equal(aWon ? 2 : 0, await company.UnitsOnAsync(target, Port8x20));
            Assert.Equal(aWon ? 0 : 1, await company.UnitsOnAsync(target, "Relay-PRI"));
            Assert.Equal(aWon ? 1 : 0, await company.UnitsOnAsync(b, "Relay-PRI"));
            Assert.Equal(aWon ? 0 : 2, await company.UnitsOnAsync(a, Port8x20));
        }

        await company.AssertAuditBalancedAsync();
    }

    [Fact]
    public async Task A_scripted_day_of_device_operations_keeps_the_audit_at_zero_and_records_one_history_event_per_change()
    {
        node.Clock.Set(new DateTimeOffset(2031, 8, 1, 8, 0, 0, TimeSpan.Zero));
        var company = await DeviceCompany.CreateAsync(_api, "Day GmbH");
        var second = await company.ProjectAsync("Second site");
        await company.FundAsync(new() { [Port8x20] = 3, ["Warranty-Early"] = 10, ["PBX-Floating7"] = 1, ["Relay-PRI"] = 2, ["SSC"] = 100 });
        await company.FundAsync(new() { [Port8x20] = 4 }, second);
        var baseline = (await company.HistoryAsync()).Count;
        var expected = new List<string>();

        // Morning: a shipment arrives — three devices by order number, three by an address range.
        var order = "DAY-" + Guid.NewGuid().ToString("N")[..8];
        var prefix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(2));
        var ordered = Enumerable.Range(0, 3).Select(_ => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))).ToArray();
        var ranged = Enumerable.Range(0, 3).Select(i => $"{prefix}{i:x2}").ToArray();
        var registered = await _api.SendAsync(HttpMethod.Post, "/api/v1/vendor/hardware", new
        {
            devices = ordered.Select(mac => new { mac, deviceType = "IP6000", orderNumber = order, shipDate = "2031-07-20" })
                .Concat(ranged.Select(mac => new { mac, deviceType = "IP6000", orderNumber = order + "-R", shipDate = "2031-07-20" })).ToArray(),
        }, LicensingApp.VendorKey);
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var macs = (await Api.Json(registered))["devices"]!.AsArray().Select(d => d!["mac"]!.GetValue<string>()).ToArray();
        var byOrder = await Api.Json(await company.PostAsync($"/projects/{company.ProjectId}/devices", new { orderNumber = order }));
        Assert.All(byOrder["results"]!.AsArray(), r => Assert.Equal("added", r!["status"]!.GetValue<string>()));
        var byRange = await Api.Json(await company.PostAsync($"/projects/{company.ProjectId}/devices", new { range = new { from = ranged[0], to = ranged[2] } }));
        Assert.Equal(3, byRange["results"]!.AsArray().Count(r => r!["status"]!.GetValue<string>() == "added"));
        expected.AddRange(Enumerable.Repeat("DeviceAdded", 6));
        var (d1, d2, d3, d4, d5, d6) = (macs[0], macs[1], macs[2], macs[3], macs[4], macs[5]);

        // Licenses: one device from its project, one drawing also from the second project (R-P6).
        Assert.Equal(HttpStatusCode.OK, (await company.PostAsync($"/devices/{d1}/licenses", new { version = "V13", licenses = new Dictionary<string, int> { [Port8x20] = 2 } })).StatusCode);
        var cross = await Api.Json(await company.PostAsync($"/devices/{d2}/licenses", new { version = "V13", licenses = new Dictionary<string, int> { [Port8x20] = 3 }, fromProjects = new[] { second } }));
        Assert.Equal(2, cross["debited"]!.AsArray().Count);
        expected.AddRange(["LicensesAdded", "LicensesAdded"]);

        // Warranty: one device by hand, then the whole project (the early type: 12 days after shipping).
        Assert.Equal(HttpStatusCode.OK, (await company.PostAsync($"/devices/{d1}/warranty", new { years = 2 })).StatusCode);
        var fleet = await Api.Json(await company.PostAsync($"/projects/{company.ProjectId}/warranty", new { years = 1 }));
        Assert.Equal(6, fleet["results"]!.AsArray().Count(r => r!["status"]!.GetValue<string>() == "added"));
        expected.AddRange(Enumerable.Repeat("LicensesAdded", 7));

        // A move to a device that holds only warranty; the warranty stays behind (R-L5, R-L7).
        Assert.Equal(HttpStatusCode.OK, (await company.PostAsync($"/devices/{d1}/licenses/move", new { targetMac = d3 })).StatusCode);
        Assert.Equal(2, await company.UnitsOnAsync(d3, Port8x20));
        Assert.Equal(3, await company.UnitsOnAsync(d1, "Warranty-Early"));
        expected.AddRange(["LicensesMovedOut", "LicensesMovedIn"]);

        // The floating license: on, off to the free pool, from there onto another device (R-L6, R-L4).
        Assert.Equal(HttpStatusCode.OK, (await company.PostAsync($"/devices/{d4}/floating-license", null)).StatusCode);
        var freed = await Api.Json(await company.DeleteAsync($"/devices/{d4}/floating-license"));
        var lotId = freed[0]!["lotId"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.OK, (await company.PostAsync($"/devices/{d5}/licenses/from-free", new { lotIds = new[] { lotId } })).StatusCode);
        expected.AddRange(["LicensesAdded", "LicensesReturnedToFreePool", "LicensesTakenFromFreePool"]);

        // A gateway license under SSA for 365 days, paid from the SSC balance.
        var ssa = await Api.Json(await company.PostAsync($"/devices/{d4}/licenses", new { version = "V13", licenses = new Dictionary<string, int> { ["Relay-PRI"] = 1 }, ssaEndDate = "2032-07-31" }));
        Assert.Equal(10, ssa["ssa"]!["totalSsc"]!.GetValue<long>());
        expected.Add("LicensesAdded");

        // Test mode: on, off by hand, on again, and off by itself eight hours later.
        Assert.Equal(HttpStatusCode.OK, (await company.PostAsync($"/devices/{d6}/test-mode", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await company.DeleteAsync($"/devices/{d6}/test-mode")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await company.PostAsync($"/devices/{d6}/test-mode", null)).StatusCode);
        node.Clock.Set(new DateTimeOffset(2031, 8, 1, 16, 30, 0, TimeSpan.Zero));
        expected.AddRange(["TestModeOn", "TestModeOff", "TestModeOn", "TestModeOff"]);

        // Afternoon: a device moves to the second site (R-D6; recorded where it left and where it
        // arrived); the device with only warranty left goes back to the vendor and is reshipped (R-D7).
        var relocated = await company.PostAsync($"/projects/{second}/devices/move", new { macs = new[] { d2 } });
        Assert.Equal(HttpStatusCode.OK, relocated.StatusCode);
        expected.AddRange(["DeviceMoved", "DeviceMoved"]);
        Assert.Equal(HttpStatusCode.OK, (await company.PostAsync($"/devices/{d1}/rma", new { reason = "fan noise" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Post, $"/api/v1/vendor/rma/{d1}/arrived", null, LicensingApp.VendorKey)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Post, $"/api/v1/vendor/rma/{d1}/reship", null, LicensingApp.VendorKey)).StatusCode);
        expected.AddRange(["RmaRequested", "RmaArrived", "RmaReshipped"]);

        // Evening: the audit balances and the history holds exactly one event per change.
        List<JsonNode> events = [];
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            var all = await company.HistoryAsync();
            events = [.. all.Take(all.Count - baseline)];
            if (events.Count >= expected.Count || DateTime.UtcNow > deadline)
            {
                break;
            }

            await Task.Delay(250, TestContext.Current.CancellationToken);
        }

        Assert.Equal(expected.Order(StringComparer.Ordinal), events.Select(e => e["action"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.Equal(6, events.Count(e => e["action"]!.GetValue<string>() == "DeviceAdded" && macs.Contains(e["mac"]!.GetValue<string>())));
        Assert.Equal(second, (await Api.Json(await _api.SendAsync(HttpMethod.Get, $"{company.Base}/devices/{d2}", null, company.Token)))["projectId"]!.GetValue<string>());
        Assert.Equal(3, await company.UnitsOnAsync(d2, Port8x20));
        await company.AssertAuditBalancedAsync();
        Assert.Equal(0, await company.BalanceOfAsync(Port8x20));
        Assert.Equal(2, await company.BalanceOfAsync(Port8x20, second));
        Assert.Equal(90, await company.BalanceOfAsync("SSC"));
    }
}
