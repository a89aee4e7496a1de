using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;

namespace OrleansLicensing.ApiTests;

/// <summary>
/// SSA expiry mails (R-S5) over HTTP. The node checks every second (Mail:SsaExpiryCheckPeriod)
/// on real time, and compares the licensing clock's date with the end date; so a test sets the
/// date and polls the outbox until the mail is there.
/// </summary>
public sealed class SsaExpiryMailTests(ClockedApp node) : IClassFixture<ClockedApp>
{
    private static readonly DateOnly Start = new(2030, 1, 1);
    private static readonly DateOnly End = new(2030, 6, 30);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly Api _api = new(node.App.CreateClient());

    [Fact]
    public async Task R_S5_expiry_mails_go_seven_weeks_before_the_end_then_weekly_to_opted_in_unlocked_users_in_their_language()
    {
        node.Clock.SetDay(Start);
        var adminEmail = Api.NewEmail().ToLowerInvariant();
        var admin = await _api.RegisterAndLoginAsync(adminEmail);
        var (company, project) = await _api.CreateCompanyAsync(admin, "Expiry GmbH");
        var german = await MemberAsync(admin, company, "de");
        var italian = await MemberAsync(admin, company, "it");
        var optedOut = await MemberAsync(admin, company, "fr", optOut: true);
        var locked = await MemberAsync(admin, company, "nl", locked: true);

        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Patch, $"/api/v1/companies/{company}/projects/{project}", new { name = "Watched" }, admin)).StatusCode);
        await ConfirmSsaAsync(admin, company, project);

        // A second project under SSA with the mails turned off.
        var quiet = (await Api.Json(await _api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{company}/projects", new { name = "Quiet" }, admin)))["projectId"]!.GetValue<string>();
        await ConfirmSsaAsync(admin, company, quiet);
        var switchedOff = await _api.SendAsync(HttpMethod.Patch, $"/api/v1/companies/{company}/projects/{quiet}", new { ssaExpiryMails = false }, admin);
        Assert.Equal(HttpStatusCode.OK, switchedOff.StatusCode);
        Assert.False((await Api.Json(switchedOff))["ssaExpiryMails"]!.GetValue<bool>());
        Assert.Equal("Quiet", (await Api.Json(switchedOff))["name"]!.GetValue<string>());
        Assert.True((await Api.Json(await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{company}/projects/{project}", null, admin)))["ssaExpiryMails"]!.GetValue<bool>());

        // The day before the seventh week: nothing yet (a few checks run meanwhile).
        node.Clock.SetDay(End.AddDays(-50));
        await Task.Delay(TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken);
        Assert.Empty(await ExpiryMailsAsync(adminEmail));

        // Seven weeks before the end: one mail each, in the user's language.
        node.Clock.SetDay(End.AddDays(-49));
        var first = new Dictionary<string, JsonNode>
        {
            [adminEmail] = Assert.Single(await WaitForExpiryMailsAsync(adminEmail, 1)),
            [german] = Assert.Single(await WaitForExpiryMailsAsync(german, 1)),
            [italian] = Assert.Single(await WaitForExpiryMailsAsync(italian, 1)),
        };
        Assert.Equal("en", first[adminEmail]["language"]!.GetValue<string>());
        Assert.Equal("de", first[german]["language"]!.GetValue<string>());
        Assert.Equal("it", first[italian]["language"]!.GetValue<string>());
        Assert.Equal("The SSA of project Watched ends soon", first[adminEmail]["subject"]!.GetValue<string>());
        Assert.Equal("Die SSA des Projekts Watched endet bald", first[german]["subject"]!.GetValue<string>());
        Assert.All(first.Values, mail => Assert.Contains("2030-06-30", mail["body"]!.GetValue<string>(), StringComparison.Ordinal));
        Assert.All(first.Values, mail => Assert.Contains("Expiry GmbH", mail["body"]!.GetValue<string>(), StringComparison.Ordinal));

        // Later checks in the same week send nothing more.
        await Task.Delay(TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken);
        Assert.Single(await ExpiryMailsAsync(adminEmail));
        Assert.Single(await ExpiryMailsAsync(german));

        // A week later: one more each.
        node.Clock.SetDay(End.AddDays(-42));
        Assert.Equal(2, (await WaitForExpiryMailsAsync(adminEmail, 2)).Count);
        Assert.Equal(2, (await WaitForExpiryMailsAsync(german, 2)).Count);
        Assert.Equal(2, (await WaitForExpiryMailsAsync(italian, 2)).Count);

        // Never for the opted-out or the locked user, never from the project with mails off.
        Assert.Empty(await ExpiryMailsAsync(optedOut));
        Assert.Empty(await ExpiryMailsAsync(locked));
        Assert.DoesNotContain(await ExpiryMailsAsync(adminEmail), mail => mail["subject"]!.GetValue<string>().Contains("Quiet", StringComparison.Ordinal));
    }

    [Fact]
    public async Task R_S5_the_expiry_reminder_survives_a_node_restart()
    {
        var clock = new TestClock();
        clock.SetDay(Start);
        var directory = Path.Combine(Path.GetTempPath(), "orleans-licensing-ssa", Guid.NewGuid().ToString("N"));
        var email = Api.NewEmail().ToLowerInvariant();
        try
        {
            await using (var first = SqliteNode(directory, clock))
            {
                var api = new Api(first.CreateClient());
                var token = await api.RegisterAndLoginAsync(email);
                var (company, project) = await api.CreateCompanyAsync(token, "Restart AG");
                await ConfirmSsaAsync(api, token, company, project);
                Assert.Empty(await ExpiryMailsAsync(api, email));
            }

            // A new node on the same data: only the persisted reminder can wake the project.
            await using var second = SqliteNode(directory, clock);
            var again = new Api(second.CreateClient());
            clock.SetDay(End.AddDays(-49));
            var mail = Assert.Single(await WaitForExpiryMailsAsync(again, email, 1));
            Assert.Equal("The SSA of project DEFAULT ends soon", mail["subject"]!.GetValue<string>());
        }
        finally
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    private static LicensingApp SqliteNode(string directory, TestClock clock) =>
        new("Sqlite", directory, services => services.AddKeyedSingleton<TimeProvider>(OrleansLicensing.Grains.LicensingClock.Key, clock), SsaTests.FastExpiryChecks);

    private Task ConfirmSsaAsync(string token, string company, string project) => ConfirmSsaAsync(_api, token, company, project);

    /// <summary>A project without devices goes under SSA for nothing (no lots, no SSC).</summary>
    private static async Task ConfirmSsaAsync(Api api, string token, string company, string project)
    {
        var confirmed = await api.SendAsync(HttpMethod.Put, $"/api/v1/companies/{company}/projects/{project}/ssa", new { endDate = End.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) }, token);
        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        var body = await Api.Json(confirmed);
        Assert.True(body["confirmed"]!.GetValue<bool>());
        Assert.Equal(0, body["totalSsc"]!.GetValue<long>());
    }

    /// <summary>A new member of the company speaking <paramref name="language"/>; its e-mail.</summary>
    private async Task<string> MemberAsync(string admin, string company, string language, bool optOut = false, bool locked = false)
    {
        var email = Api.NewEmail().ToLowerInvariant();
        Assert.Equal(HttpStatusCode.Created, (await _api.SendAsync(HttpMethod.Post, "/api/v1/accounts", new { email, password = Api.Password, displayName = $"User {language}", language })).StatusCode);
        await _api.ActivateAsync(email);
        var token = await _api.LoginAsync(email);
        if (optOut)
        {
            Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Patch, "/api/v1/me", new { currentPassword = Api.Password, mailOptOut = true }, token)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.Created, (await _api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{company}/users", new { email, locked }, admin)).StatusCode);
        return email;
    }

    private Task<List<JsonNode>> ExpiryMailsAsync(string email) => ExpiryMailsAsync(_api, email);

    private static async Task<List<JsonNode>> ExpiryMailsAsync(Api api, string email) =>
        [.. (await api.MailsAsync(email)).Where(m => m!["kind"]!.GetValue<string>() == "SsaExpiry").Select(m => m!)];

    private Task<List<JsonNode>> WaitForExpiryMailsAsync(string email, int count) => WaitForExpiryMailsAsync(_api, email, count);

    /// <summary>Polls the outbox until it holds <paramref name="count"/> expiry mails (then checks there are not more).</summary>
    private static async Task<List<JsonNode>> WaitForExpiryMailsAsync(Api api, string email, int count)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var mails = await ExpiryMailsAsync(api, email);
            if (mails.Count >= count || DateTime.UtcNow > deadline)
            {
                Assert.Equal(count, mails.Count);
                return mails;
            }

            await Task.Delay(200, TestContext.Current.CancellationToken);
        }
    }
}
