using System.Net;
using System.Text.Json.Nodes;

namespace OrleansLicensing.ApiTests;

/// <summary>Test mode over HTTP (R-L9): eight hours of the licensing clock, ended by a reminder, seen by the device poll.</summary>
public sealed class TestModeTests(DeviceOpsApp node) : IClassFixture<DeviceOpsApp>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private readonly Api _api = new(node.App.CreateClient());

    [Fact]
    public async Task R_L9_test_mode_shows_in_the_poll_restarts_when_switched_on_again_and_ends_itself_after_eight_hours()
    {
        var start = new DateTimeOffset(2031, 3, 1, 9, 0, 0, TimeSpan.Zero);
        node.Clock.Set(start);
        var company = await DeviceCompany.CreateAsync(_api);
        var (mac, secret) = await company.DeviceAsync();
        Assert.Null(await PolledUntilAsync(_api, mac, secret));

        var on = await company.PostAsync($"/devices/{mac}/test-mode", null);
        Assert.Equal(HttpStatusCode.OK, on.StatusCode);
        var until = (await Api.Json(on))["testModeUntil"]!.GetValue<DateTimeOffset>();
        Assert.InRange(until - start, TimeSpan.FromHours(8), TimeSpan.FromHours(8) + TimeSpan.FromMinutes(1));
        Assert.Equal(until, await PolledUntilAsync(_api, mac, secret));

        // Four hours later, on again: the eight hours start over.
        node.Clock.Set(start.AddHours(4));
        var again = await company.PostAsync($"/devices/{mac}/test-mode", null);
        var restarted = (await Api.Json(again))["testModeUntil"]!.GetValue<DateTimeOffset>();
        Assert.InRange(restarted - start.AddHours(4), TimeSpan.FromHours(8), TimeSpan.FromHours(8) + TimeSpan.FromMinutes(1));
        Assert.True(restarted > until.AddHours(3));
        Assert.Equal(restarted, await PolledUntilAsync(_api, mac, secret));

        // Past the first end but before the new one: still on after several reminder ticks.
        node.Clock.Set(start.AddHours(11));
        await Task.Delay(TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken);
        Assert.Equal(restarted, await PolledUntilAsync(_api, mac, secret));

        // Past the new end: the reminder switches it off and the poll shows it.
        node.Clock.Set(start.AddHours(12).AddMinutes(1));
        await WaitForPollAsync(_api, mac, secret, expected: null);
        var view = await _api.SendAsync(HttpMethod.Get, $"{company.Base}/devices/{mac}/test-mode", null, company.Token);
        Assert.Null((await Api.Json(view))["testModeUntil"]);

        // One history event per change: on, on again, off by the reminder.
        var events = (await company.HistoryAsync($"context=device&mac={mac}")).Where(e => e["action"]!.GetValue<string>().StartsWith("TestMode", StringComparison.Ordinal)).Reverse().ToArray();
        Assert.Equal(["TestModeOn", "TestModeOn", "TestModeOff"], events.Select(e => e["action"]!.GetValue<string>()));
        Assert.Equal("reminder", events[2]["details"]!["by"]!.GetValue<string>());
        Assert.NotNull(events[0]["user"]);
    }

    [Fact]
    public async Task R_L9_test_mode_is_switched_off_by_hand_and_on_again_any_number_of_times()
    {
        node.Clock.Set(new DateTimeOffset(2031, 4, 1, 9, 0, 0, TimeSpan.Zero));
        var company = await DeviceCompany.CreateAsync(_api);
        var (mac, secret) = await company.DeviceAsync("IP222");
        for (var round = 0; round < 3; round++)
        {
            var on = await company.PostAsync($"/devices/{mac}/test-mode", null);
            Assert.Equal(HttpStatusCode.OK, on.StatusCode);
            Assert.NotNull(await PolledUntilAsync(_api, mac, secret));

            var off = await company.DeleteAsync($"/devices/{mac}/test-mode");
            Assert.Equal(HttpStatusCode.OK, off.StatusCode);
            Assert.Null((await Api.Json(off))["testModeUntil"]);
            Assert.Null(await PolledUntilAsync(_api, mac, secret));
        }

        Assert.Equal(6, (await company.DeviceActionsAsync(mac)).Count(a => a.StartsWith("TestMode", StringComparison.Ordinal)));

        // Off while off changes nothing; another company cannot touch the device.
        Assert.Equal(HttpStatusCode.OK, (await company.DeleteAsync($"/devices/{mac}/test-mode")).StatusCode);
        var stranger = await DeviceCompany.CreateAsync(_api, "Stranger");
        await Api.AssertProblem(await stranger.PostAsync($"/devices/{mac}/test-mode", null), HttpStatusCode.NotFound, "NotFound");
        Assert.Null(await PolledUntilAsync(_api, mac, secret));
    }

    /// <summary>R-L9 across a restart of the durable (SQLite) node: the persisted reminder still ends test mode.</summary>
    [Fact]
    public async Task R_L9_test_mode_ends_after_eight_hours_also_across_a_node_restart()
    {
        var directory = Path.Combine(Path.GetTempPath(), "orleans-licensing-testmode", Guid.NewGuid().ToString("N"));
        var clock = new TestClock();
        var start = new DateTimeOffset(2031, 5, 1, 9, 0, 0, TimeSpan.Zero);
        clock.Set(start);
        string mac, secret, email, companyId;
        try
        {
            await using (var app = DeviceOpsApp.Create("Sqlite", directory, clock))
            {
                var api = new Api(app.CreateClient());
                email = Api.NewEmail();
                await api.RegisterAndLoginAsync(email);
                var company = await DeviceCompany.CreateAsync(api, email: email);
                companyId = company.CompanyId;
                (mac, secret) = await company.DeviceAsync();
                Assert.Equal(HttpStatusCode.OK, (await company.PostAsync($"/devices/{mac}/test-mode", null)).StatusCode);
                Assert.NotNull(await PolledUntilAsync(api, mac, secret));
            }

            clock.Set(start.AddHours(8).AddMinutes(1));
            await using (var app = DeviceOpsApp.Create("Sqlite", directory, clock))
            {
                var api = new Api(app.CreateClient());
                Assert.Null(await PolledUntilAsync(api, mac, secret));

                // The persisted reminder fires after the restart and records the switch-off.
                var company = new DeviceCompany(api, await api.LoginAsync(email), companyId, string.Empty);
                var deadline = DateTime.UtcNow + Patience;
                while (!(await company.HistoryAsync($"context=device&mac={mac}")).Any(e => e["action"]!.GetValue<string>() == "TestModeOff" && e["details"]!["by"]?.GetValue<string>() == "reminder"))
                {
                    Assert.True(DateTime.UtcNow < deadline, "the reminder did not switch test mode off after the restart");
                    await Task.Delay(250, TestContext.Current.CancellationToken);
                }

                Assert.Null(await PolledUntilAsync(api, mac, secret));
            }
        }
        finally
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // A file still held by a closing connection; the temp directory is cleaned elsewhere.
            }
        }
    }

    /// <summary>The <c>testModeUntil</c> of the device's poll answer (null when absent).</summary>
    internal static async Task<DateTimeOffset?> PolledUntilAsync(Api api, string mac, string secret)
    {
        var response = await api.PollAsync(mac, secret);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await Api.Json(response);
        return body["testModeUntil"] is JsonNode until ? until.GetValue<DateTimeOffset>() : null;
    }

    private static async Task WaitForPollAsync(Api api, string mac, string secret, DateTimeOffset? expected)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (await PolledUntilAsync(api, mac, secret) != expected)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the poll did not show testModeUntil={expected} within {Patience}");
            await Task.Delay(200, TestContext.Current.CancellationToken);
        }
    }
}
