using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace OrleansLicensing.ApiTests;

/// <summary>Unit moves over HTTP: idempotent retries, hot spots, the audit and the free pool.</summary>
public sealed class LedgerApiTests(SharedApp shared) : IAsyncLifetime
{
    private readonly Api _api = new(shared.App.CreateClient());
    private string _token = string.Empty;
    private string _companyId = string.Empty;
    private string _projectId = string.Empty;

    public async ValueTask InitializeAsync()
    {
        _token = await _api.RegisterAndLoginAsync();
        (_companyId, _projectId) = await _api.CreateCompanyAsync(_token);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task A_retried_request_with_the_same_Idempotency_Key_applies_once_and_answers_the_same()
    {
        var key = await _api.MintKeyAsync(new Dictionary<string, int> { ["PBX-Port8*20"] = 7 });
        var path = $"/api/v1/companies/{_companyId}/projects/{_projectId}/activations";

        // The first response is "lost" (never read); the retry must not credit again.
        var first = await Send(path, new { key }, "redeem-1");
        var retry = await Send(path, new { key }, "redeem-1");
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), await retry.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(7, (await _api.BalanceAsync(_token, _companyId, _projectId))["PBX-Port8*20"]!.GetValue<int>());

        // Without the key, a second redeem is the domain error it always was.
        await Api.AssertProblem(await Send(path, new { key }, null), HttpStatusCode.Conflict, "KeyAlreadyAssigned");

        // The same key for a different request is refused.
        var otherKey = await _api.MintKeyAsync(new Dictionary<string, int> { ["PBX-Port8*20"] = 1 });
        await Api.AssertProblem(await Send(path, new { key = otherKey }, "redeem-1"), HttpStatusCode.Conflict, "IdempotencyKeyReused");
        await Api.AssertProblem(await Send(path, new { key = otherKey }, "bad key with spaces"), HttpStatusCode.BadRequest, "ValidationFailed");
    }

    [Fact]
    public async Task Hot_spot_debits_of_one_balance_never_answer_500_and_never_overdraw()
    {
        var key = await _api.MintKeyAsync(new Dictionary<string, int> { ["PBX-Port8*20"] = 20 });
        Assert.Equal(HttpStatusCode.Created, (await Send($"/api/v1/companies/{_companyId}/projects/{_projectId}/activations", new { key }, null)).StatusCode);
        var macs = new List<string>();
        for (var i = 0; i < 32; i++)
        {
            var (mac, _) = await _api.RegisterHardwareAsync(Api.NewMacSuffix());
            macs.Add(mac);
        }

        var added = await Send($"/api/v1/companies/{_companyId}/projects/{_projectId}/devices", new { macs }, null);
        Assert.Equal(HttpStatusCode.OK, added.StatusCode);

        var responses = await Task.WhenAll(macs.Select(mac =>
            Send($"/api/v1/companies/{_companyId}/devices/{mac}/licenses", new { version = "V13", licenses = new Dictionary<string, int> { ["PBX-Port8*20"] = 1 } }, null)));

        var statuses = responses.Select(r => (int)r.StatusCode).ToList();
        Assert.All(statuses, status => Assert.Contains(status, new[] { 200, 409, 503 }));
        foreach (var conflict in responses.Where(r => r.StatusCode == HttpStatusCode.Conflict))
        {
            await Api.AssertProblem(conflict, HttpStatusCode.Conflict, "InsufficientBalance");
        }

        foreach (var busy in responses.Where(r => r.StatusCode == HttpStatusCode.ServiceUnavailable))
        {
            await Api.AssertProblem(busy, HttpStatusCode.ServiceUnavailable, "TransientConflict");
            Assert.NotNull(busy.Headers.RetryAfter);
        }

        var balance = await _api.BalanceAsync(_token, _companyId, _projectId);
        var left = balance["PBX-Port8*20"]?.GetValue<int>() ?? 0;
        Assert.Equal(20 - statuses.Count(s => s == 200), left);
        Assert.True(left >= 0);
    }

    [Fact]
    public async Task Free_pool_own_keys_moves_and_the_audit_work_over_http()
    {
        var key = await _api.MintKeyAsync(new Dictionary<string, int> { ["PBX-Port8*20"] = 4, ["SSC"] = 200 });
        Assert.Equal(HttpStatusCode.Created, (await Send($"/api/v1/companies/{_companyId}/projects/{_projectId}/activations", new { key }, null)).StatusCode);
        var (a, _) = await _api.RegisterHardwareAsync(Api.NewMacSuffix());
        var (b, _) = await _api.RegisterHardwareAsync(Api.NewMacSuffix());
        Assert.Equal(HttpStatusCode.OK, (await Send($"/api/v1/companies/{_companyId}/projects/{_projectId}/devices", new { macs = new[] { a, b } }, null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Send($"/api/v1/companies/{_companyId}/devices/{a}/licenses", new { version = "V13", licenses = new Dictionary<string, int> { ["PBX-Port8*20"] = 2 } }, null)).StatusCode);

        // R-L5: A → B, then A is RMA; moving onto a device with licenses is refused.
        var move = await Send($"/api/v1/companies/{_companyId}/devices/{a}/licenses/move", new { targetMac = b }, null);
        Assert.Equal(HttpStatusCode.OK, move.StatusCode);
        var deviceA = await Api.Json(await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{_companyId}/devices/{a}", null, _token));
        Assert.True(deviceA["rma"]!.GetValue<bool>());
        await Api.AssertProblem(await Send($"/api/v1/companies/{_companyId}/devices/{a}/licenses/move", new { targetMac = b }, null), HttpStatusCode.Conflict, "Conflict");

        // Own key: 1 unit out of the balance, then deleted back.
        var created = await Send($"/api/v1/companies/{_companyId}/projects/{_projectId}/own-keys", new { licenses = new Dictionary<string, int> { ["PBX-Port8*20"] = 1 }, comment = "for a customer" }, null);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var ownKey = (await Api.Json(created))["key"]!.GetValue<string>();
        Assert.Equal(1, (await _api.BalanceAsync(_token, _companyId, _projectId))["PBX-Port8*20"]!.GetValue<int>());
        var deleted = await _api.SendAsync(HttpMethod.Delete, $"/api/v1/companies/{_companyId}/projects/{_projectId}/own-keys/{ownKey}", null, _token);
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal(2, (await _api.BalanceAsync(_token, _companyId, _projectId))["PBX-Port8*20"]!.GetValue<int>());
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Delete, $"/api/v1/companies/{_companyId}/projects/{_projectId}/own-keys/{ownKey}", null, _token), HttpStatusCode.NotFound, "NotFound");

        // Free pool: nothing there yet; converting an unknown lot is 404 and changes nothing.
        var pool = await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{_companyId}/projects/{_projectId}/free-licenses", null, _token);
        Assert.Empty((await Api.Json(pool)).AsArray());
        await Api.AssertProblem(await Send($"/api/v1/companies/{_companyId}/projects/{_projectId}/free-licenses/convert", new { lotIds = new[] { "nope" } }, null), HttpStatusCode.NotFound, "NotFound");

        // R-C2 over everything this node did, for every test running on it.
        var audit = await _api.SendAsync(HttpMethod.Get, "/api/v1/vendor/audit", null, LicensingApp.VendorKey);
        Assert.Equal(HttpStatusCode.OK, audit.StatusCode);
        var report = await Api.Json(audit);
        var ssc = report["licenseTypes"]!.AsArray().Single(l => l!["type"]!.GetValue<string>() == "SSC")!;
        Assert.True(ssc["minted"]!.GetValue<long>() >= 200);
        // Types a move in flight could explain are listed, not reported as differences (issue 15).
        Assert.All(report["unsettled"]!.AsArray(), type => Assert.Contains(report["licenseTypes"]!.AsArray(), l => l!["type"]!.GetValue<string>() == type!.GetValue<string>()));
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Get, "/api/v1/vendor/audit", null, _token), HttpStatusCode.Forbidden, "Forbidden");
    }

    [Fact]
    public async Task Retried_creates_with_an_Idempotency_Key_return_the_first_result()
    {
        var email = Api.NewEmail();
        var account = new { email, password = "correct horse battery", displayName = "Retry", language = "en" };
        var first = await SendAs(null, "/api/v1/accounts", account, "acct-1");
        var again = await SendAs(null, "/api/v1/accounts", account, "acct-1");
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        await Api.AssertProblem(await SendAs(null, "/api/v1/accounts", account with { displayName = "Other" }, "acct-1"), HttpStatusCode.Conflict, "AccountExists");

        var company1 = await Api.Json(await Send("/api/v1/companies", new { name = "Retry GmbH" }, "company-1"));
        var company2 = await Api.Json(await Send("/api/v1/companies", new { name = "Retry GmbH" }, "company-1"));
        Assert.Equal(company1["companyId"]!.GetValue<string>(), company2["companyId"]!.GetValue<string>());
        await Api.AssertProblem(await Send("/api/v1/companies", new { name = "Other AG" }, "company-1"), HttpStatusCode.Conflict, "IdempotencyKeyReused");
        var me = await Api.Json(await _api.SendAsync(HttpMethod.Get, "/api/v1/me", null, _token));
        Assert.Single(me["companyIds"]!.AsArray(), id => id!.GetValue<string>() == company1["companyId"]!.GetValue<string>());

        var projects = $"/api/v1/companies/{_companyId}/projects";
        var p1 = await Api.Json(await Send(projects, new { name = "Retry project" }, "project-1"));
        var p2 = await Send(projects, new { name = "Retry project" }, "project-1");
        Assert.Equal(HttpStatusCode.Created, p2.StatusCode);
        Assert.Equal(p1["projectId"]!.GetValue<string>(), (await Api.Json(p2))["projectId"]!.GetValue<string>());
        await Api.AssertProblem(await Send(projects, new { name = "Retry project" }, null), HttpStatusCode.Conflict, "DuplicateProjectName");
        var listed = await Api.Json(await _api.SendAsync(HttpMethod.Get, projects, null, _token));
        Assert.Single(listed.AsArray(), p => p!["name"]!.GetValue<string>() == "Retry project");
    }

    private Task<HttpResponseMessage> SendAs(string? bearer, string path, object body, string idempotencyKey)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        if (bearer is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearer);
        }

        request.Headers.TryAddWithoutValidation("Idempotency-Key", idempotencyKey);
        return _api.Http.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private Task<HttpResponseMessage> Send(string path, object body, string? idempotencyKey)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", _token);
        if (idempotencyKey is not null)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", idempotencyKey);
        }

        return _api.Http.SendAsync(request, TestContext.Current.CancellationToken);
    }
}
