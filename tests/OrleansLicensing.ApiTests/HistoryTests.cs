using System.Collections.Immutable;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OrleansLicensing.Contracts;

namespace OrleansLicensing.ApiTests;

/// <summary>The company history over HTTP (R-Q2): what is recorded, the filters, periods, paging, tenancy.</summary>
public sealed class HistoryTests(SharedApp shared) : IAsyncLifetime
{
    private const string Port8 = "PBX-Port8*20";

    private readonly Api _api = new(shared.App.CreateClient());
    private readonly string _email = Api.NewEmail();
    private string _token = string.Empty;
    private string _companyId = string.Empty;
    private string _projectId = string.Empty;

    private string Company => $"/api/v1/companies/{_companyId}";

    public async ValueTask InitializeAsync()
    {
        _token = await _api.RegisterAndLoginAsync(_email);
        (_companyId, _projectId) = await _api.CreateCompanyAsync(_token);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task R_Q2_every_kind_of_change_records_an_event_with_its_user_project_and_device()
    {
        var partner = await _api.RegisterAndLoginAsync();
        var (partnerCompany, _) = await _api.CreateCompanyAsync(partner, "Partner");
        var memberEmail = Api.NewEmail();
        await _api.RegisterAndLoginAsync(memberEmail);

        await Ok(HttpMethod.Patch, Company, new { name = "Acme Renamed", city = "Berlin" });
        var project = (await Api.Json(await Expect(HttpStatusCode.Created, HttpMethod.Post, $"{Company}/projects", new { name = "Second", description = "d" })))["projectId"]!.GetValue<string>();
        await Ok(HttpMethod.Patch, $"{Company}/projects/{project}", new { description = "described" });
        await Expect(HttpStatusCode.Created, HttpMethod.Post, $"{Company}/users", new { email = memberEmail });
        await Ok(HttpMethod.Patch, $"{Company}/users/{memberEmail}", new { locked = true });
        await Ok(HttpMethod.Post, $"{Company}/projects/{project}/rights", new { companyId = partnerCompany });
        await Ok(HttpMethod.Delete, $"{Company}/projects/{project}/rights?companyId={partnerCompany}", null);
        var key = await _api.MintKeyAsync(new Dictionary<string, int> { [Port8] = 4 });
        await Expect(HttpStatusCode.Created, HttpMethod.Post, $"{Company}/projects/{_projectId}/activations", new { key, comment = "order 1" });
        var (a, _) = await _api.RegisterHardwareAsync(Api.NewMacSuffix());
        var (b, _) = await _api.RegisterHardwareAsync(Api.NewMacSuffix());
        await Ok(HttpMethod.Post, $"{Company}/projects/{_projectId}/devices", new { macs = new[] { a, b } });
        await Ok(HttpMethod.Post, $"{Company}/devices/{a}/licenses", new { version = "V13", licenses = new Dictionary<string, int> { [Port8] = 2 } });
        await Ok(HttpMethod.Post, $"{Company}/devices/{a}/licenses/move", new { targetMac = b });
        var own = (await Api.Json(await Expect(HttpStatusCode.Created, HttpMethod.Post, $"{Company}/projects/{_projectId}/own-keys", new { licenses = new Dictionary<string, int> { [Port8] = 1 }, comment = "for a customer" })))["key"]!.GetValue<string>();
        await Ok(HttpMethod.Patch, $"{Company}/projects/{_projectId}/own-keys/{own}", new { licenses = new Dictionary<string, int> { [Port8] = 1 } });
        await Ok(HttpMethod.Delete, $"{Company}/projects/{_projectId}/own-keys/{own}", null);
        await Expect(HttpStatusCode.NoContent, HttpMethod.Delete, $"{Company}/projects/{project}", null);
        await Expect(HttpStatusCode.NoContent, HttpMethod.Delete, $"{Company}/users/{memberEmail}", null);
        await Ok(HttpMethod.Patch, "/api/v1/me", new { currentPassword = Api.Password, displayName = "Renamed User" });

        var events = await ReadAllAsync($"{Company}/history");
        var actions = events.Select(e => e["action"]!.GetValue<string>()).ToHashSet();
        string[] expected =
        [
            "CompanyCreated", "ProjectCreated", "CompanyUpdated", "ProjectUpdated", "MemberAdded", "MemberUpdated", "RightGranted", "RightRevoked",
            "KeyRedeemed", "DeviceAdded", "LicensesAdded", "LicensesMovedOut", "LicensesMovedIn", "OwnKeyCreated", "OwnKeyUpdated", "OwnKeyDeleted",
            "ProjectDeleted", "MemberRemoved", "AccountChanged",
        ];
        Assert.All(expected, action => Assert.Contains(action, actions));

        // Every event names who acted; the unit moves name their project and device.
        Assert.All(events, e => Assert.Equal(_email, e["user"]?.GetValue<string>(), StringComparer.OrdinalIgnoreCase));
        var redeemed = events.Single(e => e["action"]!.GetValue<string>() == "KeyRedeemed");
        Assert.Equal(_projectId, redeemed["projectId"]!.GetValue<string>());
        Assert.Equal(key, redeemed["details"]!["key"]!.GetValue<string>());
        var added = events.Single(e => e["action"]!.GetValue<string>() == "LicensesAdded");
        Assert.Equal((a, _projectId), (added["mac"]!.GetValue<string>(), added["projectId"]!.GetValue<string>()));
        Assert.Equal($"{Port8}=2", added["details"]!["licenses"]!.GetValue<string>());
        Assert.Equal(2, events.Count(e => e["action"]!.GetValue<string>() == "DeviceAdded"));

        // Newest first: the account change came last.
        Assert.Equal("AccountChanged", events[0]["action"]!.GetValue<string>());
        var times = events.Select(e => e["at"]!.GetValue<DateTimeOffset>()).ToArray();
        Assert.Equal(times.OrderByDescending(t => t), times);

        // The grantee's history shows the right it was given and lost.
        var partnerEvents = await ReadAllAsync($"/api/v1/companies/{partnerCompany}/history", partner);
        Assert.Contains(partnerEvents, e => e["action"]!.GetValue<string>() == "RightGranted" && e["details"]!["projectId"]!.GetValue<string>() == project);
        Assert.Contains(partnerEvents, e => e["action"]!.GetValue<string>() == "RightRevoked");

        // The account's own log: registered, activated, changed.
        var mine = (await ReadAllAsync("/api/v1/me/history")).Select(e => e["action"]!.GetValue<string>()).ToArray();
        Assert.Equal(["AccountChanged", "AccountActivated", "AccountRegistered"], mine);
    }

    [Fact]
    public async Task R_Q2_filters_select_a_user_a_device_or_a_project()
    {
        var colleagueEmail = Api.NewEmail();
        var colleague = await _api.RegisterAndLoginAsync(colleagueEmail);
        await Expect(HttpStatusCode.Created, HttpMethod.Post, $"{Company}/users", new { email = colleagueEmail, admin = true });
        var other = (await Api.Json(await _api.SendAsync(HttpMethod.Post, $"{Company}/projects", new { name = "Other" }, colleague)))["projectId"]!.GetValue<string>();
        var (a, _) = await _api.RegisterHardwareAsync(Api.NewMacSuffix());
        var (b, _) = await _api.RegisterHardwareAsync(Api.NewMacSuffix());
        await Ok(HttpMethod.Post, $"{Company}/projects/{_projectId}/devices", new { macs = new[] { a } });
        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Post, $"{Company}/projects/{other}/devices", new { macs = new[] { b } }, colleague)).StatusCode);

        var byColleague = await ReadAllAsync($"{Company}/history?context=user&user={Uri.EscapeDataString(colleagueEmail.ToUpperInvariant())}");
        Assert.Equal(["DeviceAdded", "ProjectCreated"], byColleague.Select(e => e["action"]!.GetValue<string>()));
        Assert.All(byColleague, e => Assert.Equal(colleagueEmail, e["user"]!.GetValue<string>(), StringComparer.OrdinalIgnoreCase));

        // The device context accepts a MAC in any accepted form.
        var ofA = await ReadAllAsync($"{Company}/history?context=device&mac={a.Replace("-", ":", StringComparison.Ordinal).ToUpperInvariant()}");
        Assert.Equal([a], ofA.Select(e => e["mac"]!.GetValue<string>()));

        var inOther = await ReadAllAsync($"{Company}/history?project={other}");
        Assert.Equal(["DeviceAdded", "ProjectCreated"], inOther.Select(e => e["action"]!.GetValue<string>()));
        var colleagueInDefault = await ReadAllAsync($"{Company}/history?context=user&user={colleagueEmail}&project={_projectId}");
        Assert.Empty(colleagueInDefault);
        var all = await ReadAllAsync($"{Company}/history?period=always");
        Assert.True(all.Count >= 6, $"{all.Count} events");
    }

    [Fact]
    public async Task R_Q2_bad_parameters_are_refused_with_ValidationFailed()
    {
        string[] bad =
        [
            "context=everything", "context=user", "context=user&user=not-an-email", "context=device", "context=device&mac=12-34",
            "period=decade", "limit=0", "limit=501", "cursor=not-a-cursor", "cursor=" + Convert.ToBase64String("x"u8), "project=NOT-AN-ID",
        ];
        foreach (var query in bad)
        {
            await Api.AssertProblem(await _api.SendAsync(HttpMethod.Get, $"{Company}/history?{query}", null, _token), HttpStatusCode.BadRequest, "ValidationFailed");
        }
    }

    [Fact]
    public async Task R_Q2_pages_newest_first_with_a_cursor_until_it_is_null()
    {
        var names = Enumerable.Range(1, 23).Select(i => $"P{i:00}").ToArray();
        foreach (var name in names)
        {
            await Expect(HttpStatusCode.Created, HttpMethod.Post, $"{Company}/projects", new { name });
        }

        var seen = new List<JsonNode>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await Api.Json(await Expect(HttpStatusCode.OK, HttpMethod.Get, $"{Company}/history?limit=5&period=day{(cursor is null ? string.Empty : "&cursor=" + Uri.EscapeDataString(cursor))}", null));
            var events = page["events"]!.AsArray();
            Assert.True(events.Count <= 5);
            seen.AddRange(events.Select(e => e!));
            cursor = page["nextCursor"]?.GetValue<string>();
            pages++;
        }
        while (cursor is not null && pages < 20);

        Assert.Null(cursor);
        var created = seen.Where(e => e["action"]!.GetValue<string>() == "ProjectCreated").Select(e => e["details"]!["name"]!.GetValue<string>()).ToArray();
        Assert.Equal([.. names.Reverse(), "DEFAULT"], created);
        Assert.Equal(25, seen.Count); // CompanyCreated, DEFAULT's ProjectCreated, 23 projects
        Assert.Equal("CompanyCreated", seen[^1]["action"]!.GetValue<string>());
    }

    [Fact]
    public async Task R_Q2_period_keeps_to_the_recorded_times()
    {
        // Events recorded at earlier times (as a log that has run for years holds them).
        var grains = shared.App.Services.GetRequiredService<IGrainFactory>();
        var now = DateTimeOffset.UtcNow;
        var old = new[] { 400, 40, 3 }.Select(days => new HistoryEvent(
            $"old-{days}-{Guid.NewGuid():N}", now.AddDays(-days), _companyId, _projectId, _email, null, "ProjectUpdated",
            ImmutableSortedDictionary<string, string>.Empty.Add("age", $"{days}")));
        var company = grains.GetGrain<ICompanyGrain>(_companyId);
        Assert.NotNull(await company.GetAsync());

        // A fresh log of another id holds them, absorbed into this company's (the join's path).
        var archive = $"archive-{Guid.NewGuid():N}";
        await grains.GetGrain<IHistoryLogGrain>(archive).AppendAsync([.. old]);
        await grains.GetGrain<IHistoryLogGrain>(_companyId).AbsorbAsync(archive);

        async Task<string[]> AgesAsync(string period) =>
            [.. (await ReadAllAsync($"{Company}/history?period={period}")).Where(e => e["details"]!["age"] is not null).Select(e => e["details"]!["age"]!.GetValue<string>())];

        Assert.Empty(await AgesAsync("day"));
        Assert.Equal(["3"], await AgesAsync("week"));
        Assert.Equal(["3"], await AgesAsync("month"));
        Assert.Equal(["3", "40"], await AgesAsync("year"));
        Assert.Equal(["3", "40", "400"], await AgesAsync("always"));

        // Today's events (company created, absorb) and the absorbed ones merge newest first.
        var all = await ReadAllAsync($"{Company}/history");
        Assert.Equal(["HistoryAbsorbed", "ProjectCreated", "CompanyCreated", "ProjectUpdated", "ProjectUpdated", "ProjectUpdated"], all.Select(e => e["action"]!.GetValue<string>()));
    }

    [Fact]
    public async Task R_Q2_removed_users_history_is_kept_and_attributed_to_them()
    {
        var leaverEmail = Api.NewEmail();
        var leaver = await _api.RegisterAndLoginAsync(leaverEmail);
        await Expect(HttpStatusCode.Created, HttpMethod.Post, $"{Company}/users", new { email = leaverEmail });
        Assert.Equal(HttpStatusCode.Created, (await _api.SendAsync(HttpMethod.Post, $"{Company}/projects", new { name = "By the leaver" }, leaver)).StatusCode);
        await Expect(HttpStatusCode.NoContent, HttpMethod.Delete, $"{Company}/users/{leaverEmail}", null);

        var theirs = await ReadAllAsync($"{Company}/history?context=user&user={leaverEmail}");
        var created = Assert.Single(theirs);
        Assert.Equal("ProjectCreated", created["action"]!.GetValue<string>());
        Assert.Equal("By the leaver", created["details"]!["name"]!.GetValue<string>());

        // The removed user no longer reads it (R-U4 keeps the history, not the access); the removal
        // also ended the user's tokens (issue 13), so a fresh sign-in is what gets the 404.
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Get, $"{Company}/history", null, leaver), HttpStatusCode.Unauthorized, "Unauthorized");
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Get, $"{Company}/history", null, await _api.LoginAsync(leaverEmail)), HttpStatusCode.NotFound, "NotFound");
    }

    [Fact]
    public async Task R_Q2_history_of_another_company_is_404()
    {
        var outsider = await _api.RegisterAndLoginAsync();
        await _api.CreateCompanyAsync(outsider, "Outsider");
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Get, $"{Company}/history", null, outsider), HttpStatusCode.NotFound, "NotFound");
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Get, $"{Company}/history?context=device&mac=00-90-33-00-00-01", null, outsider), HttpStatusCode.NotFound, "NotFound");
    }

    private Task<List<JsonNode>> ReadAllAsync(string path, string? token = null) => _api.ReadAllPagesAsync(path, token ?? _token, maxPages: 50);

    private Task<HttpResponseMessage> Ok(HttpMethod method, string path, object? body) => Expect(HttpStatusCode.OK, method, path, body);

    private async Task<HttpResponseMessage> Expect(HttpStatusCode status, HttpMethod method, string path, object? body)
    {
        var response = await _api.SendAsync(method, path, body, _token);
        Assert.True(status == response.StatusCode, $"{method} {path}: expected {(int)status}, got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)}");
        return response;
    }
}
