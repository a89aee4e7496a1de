using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OrleansLicensing.Contracts;

namespace OrleansLicensing.ApiTests.Security;

/// <summary>Issue 13: company API keys (SPEC §4) — created by admins, scoped to one company and a set of rights, shown once, revocable.</summary>
public sealed class ApiKeyTests(SharedApp shared) : IClassFixture<SharedApp>
{
    private readonly Api _api = new(shared.App.CreateClient());

    [Fact]
    public async Task ApiKeys_act_for_their_company_with_their_rights_only_and_record_their_last_use()
    {
        var admin = await _api.RegisterAndLoginAsync();
        var (companyId, projectId) = await _api.CreateCompanyAsync(admin);
        var (otherCompanyId, otherProjectId) = await _api.CreateCompanyAsync(await _api.RegisterAndLoginAsync(), "Other");
        var (keyId, key) = await CreateKeyAsync(admin, companyId, "ERP sync", ["CheckDeviceStatus"]);
        Assert.StartsWith("olk.", key, StringComparison.Ordinal);

        // Listed without the key; never used yet.
        var listed = Assert.Single((await Api.Json(await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{companyId}/api-keys", null, admin))).AsArray())!;
        Assert.Equal(keyId, listed["keyId"]!.GetValue<string>());
        Assert.Equal("ERP sync", listed["name"]!.GetValue<string>());
        Assert.Equal(["CheckDeviceStatus"], listed["rights"]!.AsArray().Select(r => r!.GetValue<string>()));
        Assert.Null(listed["lastUsedAt"]?.GetValue<DateTimeOffset>());
        Assert.DoesNotContain(key, listed.ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain(key.Split('.')[3], listed.ToJsonString(), StringComparison.Ordinal);

        // Its own company: routes without a right, and the right it was given.
        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{companyId}/projects/{projectId}/balance", null, key)).StatusCode);
        var status = await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{companyId}/device-status/{Api.NewMacSuffix()}", null, key);
        Assert.NotEqual(HttpStatusCode.Forbidden, status.StatusCode);
        Assert.NotEqual(HttpStatusCode.Unauthorized, status.StatusCode);

        // Not a right it lacks, not what only admins do, not user routes, not another company (404 as for an outsider).
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{companyId}/keys/AAAA-BBBB-CCCC-DDDD/certificate", null, key), HttpStatusCode.Forbidden, "Forbidden");
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{companyId}/api-keys", null, key), HttpStatusCode.Forbidden, "Forbidden");
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{companyId}/users", new { email = Api.NewEmail() }, key), HttpStatusCode.Forbidden, "Forbidden");
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Get, "/api/v1/me", null, key), HttpStatusCode.Forbidden, "Forbidden");
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{otherCompanyId}/projects/{otherProjectId}/balance", null, key), HttpStatusCode.NotFound, "NotFound");
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Get, "/api/v1/vendor/audit", null, key), HttpStatusCode.Forbidden, "Forbidden");

        // The last use is recorded.
        var used = Assert.Single((await Api.Json(await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{companyId}/api-keys", null, admin))).AsArray())!;
        Assert.NotNull(used["lastUsedAt"]?.GetValue<DateTimeOffset>());
    }

    [Fact]
    public async Task ApiKeys_revoked_are_refused_and_a_tampered_key_is_refused()
    {
        var admin = await _api.RegisterAndLoginAsync();
        var (companyId, projectId) = await _api.CreateCompanyAsync(admin);
        var (keyId, key) = await CreateKeyAsync(admin, companyId, "CI", []);
        var balance = $"/api/v1/companies/{companyId}/projects/{projectId}/balance";
        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Get, balance, null, key)).StatusCode);

        var parts = key.Split('.');
        var tampered = string.Join('.', parts[0], parts[1], parts[2], (parts[3][0] == 'A' ? "B" : "A") + parts[3][1..]);
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Get, balance, null, tampered), HttpStatusCode.Unauthorized, "Unauthorized");

        Assert.Equal(HttpStatusCode.NoContent, (await _api.SendAsync(HttpMethod.Delete, $"/api/v1/companies/{companyId}/api-keys/{keyId}", null, admin)).StatusCode);
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Get, balance, null, key), HttpStatusCode.Unauthorized, "Unauthorized");
        Assert.Empty((await Api.Json(await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{companyId}/api-keys", null, admin))).AsArray());
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Delete, $"/api/v1/companies/{companyId}/api-keys/{keyId}", null, admin), HttpStatusCode.NotFound, "NotFound");
    }

    [Fact]
    public async Task ApiKeys_only_admins_manage_them_and_unknown_rights_are_refused()
    {
        var admin = await _api.RegisterAndLoginAsync();
        var (companyId, _) = await _api.CreateCompanyAsync(admin);
        var memberEmail = Api.NewEmail().ToLowerInvariant();
        var member = await _api.RegisterAndLoginAsync(memberEmail);
        Assert.Equal(HttpStatusCode.Created, (await _api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{companyId}/users", new { email = memberEmail, rights = new[] { "MoveLicenses" } }, admin)).StatusCode);

        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{companyId}/api-keys", new { name = "mine" }, member), HttpStatusCode.Forbidden, "Forbidden");
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{companyId}/api-keys", null, member), HttpStatusCode.Forbidden, "Forbidden");
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{companyId}/api-keys", new { name = "x", rights = new[] { "Admin" } }, admin), HttpStatusCode.BadRequest, "ValidationFailed");
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{companyId}/api-keys", new { name = "", rights = Array.Empty<string>() }, admin), HttpStatusCode.BadRequest, "ValidationFailed");
        Assert.Empty((await Api.Json(await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{companyId}/api-keys", null, admin))).AsArray());
    }

    [Fact]
    public async Task ApiKeys_of_a_company_being_joined_get_JoinInProgress_and_of_a_joined_company_NotFound_as_its_users_do()
    {
        var adminA = await _api.RegisterAndLoginAsync();
        var (targetId, _) = await _api.CreateCompanyAsync(adminA, "Target");
        var adminB = await _api.RegisterAndLoginAsync();
        var (companyId, projectId) = await _api.CreateCompanyAsync(adminB, "Joined");
        var (_, key) = await CreateKeyAsync(adminB, companyId, "ERP sync", ["CheckDeviceStatus"]);
        var projects = $"/api/v1/companies/{companyId}/projects";
        var balance = $"{projects}/{projectId}/balance";
        Assert.Equal(HttpStatusCode.Created, (await _api.SendAsync(HttpMethod.Post, projects, new { name = "Before" }, key)).StatusCode);

        // The join's first step locks the company (R-U3); the key is refused as its admin is, reads and changes alike.
        var company = shared.App.Services.GetRequiredService<IGrainFactory>().GetGrain<ICompanyGrain>(companyId);
        var processId = Guid.NewGuid().ToString("N");
        await company.LockForJoinAsync(targetId, processId);
        foreach (var caller in new[] { key, adminB })
        {
            await Api.AssertProblem(await _api.SendAsync(HttpMethod.Post, projects, new { name = "During" }, caller), HttpStatusCode.Conflict, "JoinInProgress");
            await Api.AssertProblem(await _api.SendAsync(HttpMethod.Get, balance, null, caller), HttpStatusCode.Conflict, "JoinInProgress");
        }

        // A right the key lacks is still Forbidden only once the company lets anyone in: the join answers first, as for users.
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{companyId}/keys/AAAA-BBBB-CCCC-DDDD/certificate", null, key), HttpStatusCode.Conflict, "JoinInProgress");

        // Nothing was created while it was locked.
        Assert.Equal(["Before", "DEFAULT"], (await company.ListProjectsAsync()).Select(p => p.Name).Order(StringComparer.Ordinal));

        // Joined: the company is gone for its key as for its users.
        await company.CompleteJoinAsync(processId);
        foreach (var caller in new[] { key, adminB })
        {
            await Api.AssertProblem(await _api.SendAsync(HttpMethod.Post, projects, new { name = "After" }, caller), HttpStatusCode.NotFound, "NotFound");
            await Api.AssertProblem(await _api.SendAsync(HttpMethod.Get, balance, null, caller), HttpStatusCode.NotFound, "NotFound");
        }
    }

    internal static async Task<(string KeyId, string Key)> CreateKeyAsync(Api api, string admin, string companyId, string name, string[] rights)
    {
        var created = await api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{companyId}/api-keys", new { name, rights }, admin);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await Api.Json(created);
        return (body["apiKey"]!["keyId"]!.GetValue<string>(), body["key"]!.GetValue<string>());
    }

    private Task<(string KeyId, string Key)> CreateKeyAsync(string admin, string companyId, string name, string[] rights) =>
        CreateKeyAsync(_api, admin, companyId, name, rights);
}
