using System.Net;
using System.Text.Json.Nodes;

namespace OrleansLicensing.ApiTests;

/// <summary>External company rights on a project (R-P2) and what they allow, over HTTP.</summary>
public sealed class ProjectRightsTests(SharedApp shared) : IAsyncLifetime
{
    private const string Port8 = "PBX-Port8*20";

    private readonly Api _api = new(shared.App.CreateClient());
    private string _owner = string.Empty;
    private string _ownerCompany = string.Empty;
    private string _project = string.Empty;
    private string _otherProject = string.Empty;
    private string _partner = string.Empty;
    private string _partnerCompany = string.Empty;

    public async ValueTask InitializeAsync()
    {
        _owner = await _api.RegisterAndLoginAsync();
        (_ownerCompany, _otherProject) = await _api.CreateCompanyAsync(_owner, "Owner");
        var created = await _api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{_ownerCompany}/projects", new { name = "Shared" }, _owner);
        _project = (await Api.Json(created))["projectId"]!.GetValue<string>();
        _partner = await _api.RegisterAndLoginAsync();
        (_partnerCompany, _) = await _api.CreateCompanyAsync(_partner, "Partner");
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private string Rights => $"/api/v1/companies/{_ownerCompany}/projects/{_project}/rights";

    /// <summary>The shared project as the partner reaches it: under the partner's own company id.</summary>
    private string AsPartner => $"/api/v1/companies/{_partnerCompany}/projects/{_project}";

    [Fact]
    public async Task R_P2_a_granted_company_adds_keys_and_devices_to_the_project_but_nothing_else()
    {
        // Before the grant the partner sees nothing.
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Get, AsPartner, null, _partner), HttpStatusCode.NotFound, "NotFound");

        var granted = await _api.SendAsync(HttpMethod.Post, Rights, new { companyId = _partnerCompany }, _owner);
        Assert.Equal(HttpStatusCode.OK, granted.StatusCode);
        Assert.Equal([_partnerCompany], (await Api.Json(granted))["companyIds"]!.AsArray().Select(c => c!.GetValue<string>()));

        // Allowed: see the project, redeem a key into it (the units are the owner's), add a device.
        Assert.Equal("Shared", (await Api.Json(await _api.SendAsync(HttpMethod.Get, AsPartner, null, _partner)))["name"]!.GetValue<string>());
        var key = await _api.MintKeyAsync(new Dictionary<string, int> { [Port8] = 3 });
        Assert.Equal(HttpStatusCode.Created, (await _api.SendAsync(HttpMethod.Post, $"{AsPartner}/activations", new { key, comment = "from partner" }, _partner)).StatusCode);
        Assert.Equal(3, (await _api.BalanceAsync(_owner, _ownerCompany, _project))[Port8]!.GetValue<int>());
        Assert.Equal(3, (await _api.BalanceAsync(_partner, _partnerCompany, _project))[Port8]!.GetValue<int>());
        var (mac, _) = await _api.RegisterHardwareAsync(Api.NewMacSuffix());
        var added = await Api.Json(await _api.SendAsync(HttpMethod.Post, $"{AsPartner}/devices", new { macs = new[] { mac } }, _partner));
        Assert.Equal("added", added["results"]![0]!["status"]!.GetValue<string>());
        var ownerDevices = await Api.Json(await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{_ownerCompany}/projects/{_project}/devices", null, _owner));
        Assert.Equal([mac], ownerDevices.AsArray().Select(m => m!.GetValue<string>()));

        // Refused: edit or delete the project, create own keys from its balance, see the owner's other projects or rights.
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Patch, AsPartner, new { name = "Mine now" }, _partner), HttpStatusCode.NotFound, "NotFound");
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Delete, AsPartner, null, _partner), HttpStatusCode.NotFound, "NotFound");
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Post, $"{AsPartner}/own-keys", new { licenses = new Dictionary<string, int> { [Port8] = 1 } }, _partner), HttpStatusCode.NotFound, "NotFound");
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Get, $"{AsPartner}/rights", null, _partner), HttpStatusCode.NotFound, "NotFound");
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{_partnerCompany}/projects/{_otherProject}", null, _partner), HttpStatusCode.NotFound, "NotFound");
        Assert.Equal("Shared", (await Api.Json(await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{_ownerCompany}/projects/{_project}", null, _owner)))["name"]!.GetValue<string>());
        Assert.Equal(3, (await _api.BalanceAsync(_owner, _ownerCompany, _project))[Port8]!.GetValue<int>());

        // R-P5 and R-P6: the shared project is not the partner's own — not in its company balance, not drawable.
        var partnerBalance = await Api.Json(await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{_partnerCompany}/balance", null, _partner));
        Assert.Empty(partnerBalance["licenses"]!.AsObject());
        Assert.DoesNotContain((await Api.Json(await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{_partnerCompany}/projects", null, _partner))).AsArray(), p => p!["projectId"]!.GetValue<string>() == _project);
    }

    [Fact]
    public async Task R_P2_rights_are_granted_and_revoked_by_admins_and_revoking_ends_access()
    {
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Post, Rights, new { companyId = _ownerCompany }, _owner), HttpStatusCode.BadRequest, "ValidationFailed");
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Post, Rights, new { companyId = "0000000000000000" }, _owner), HttpStatusCode.NotFound, "NotFound");
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Post, Rights, new { companyId = "not an id" }, _owner), HttpStatusCode.NotFound, "NotFound");
        Assert.Empty((await Api.Json(await _api.SendAsync(HttpMethod.Get, Rights, null, _owner)))["companyIds"]!.AsArray());

        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Post, Rights, new { companyId = _partnerCompany }, _owner)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Post, Rights, new { companyId = _partnerCompany }, _owner)).StatusCode);
        Assert.Single((await Api.Json(await _api.SendAsync(HttpMethod.Get, Rights, null, _owner)))["companyIds"]!.AsArray());

        // R-P3: a project granting rights cannot be deleted.
        var refused = await Api.AssertProblem(await _api.SendAsync(HttpMethod.Delete, $"/api/v1/companies/{_ownerCompany}/projects/{_project}", null, _owner), HttpStatusCode.Conflict, "ProjectNotEmpty");
        Assert.Equal(["projectRights"], refused["blocking"]!.AsArray().Select(b => b!.GetValue<string>()));

        var revoked = await _api.SendAsync(HttpMethod.Delete, $"{Rights}?companyId={_partnerCompany}", null, _owner);
        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        Assert.Empty((await Api.Json(revoked))["companyIds"]!.AsArray());
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Delete, $"{Rights}?companyId={_partnerCompany}", null, _owner), HttpStatusCode.NotFound, "NotFound");
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Get, AsPartner, null, _partner), HttpStatusCode.NotFound, "NotFound");
        var key = await _api.MintKeyAsync(new Dictionary<string, int> { [Port8] = 1 });
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Post, $"{AsPartner}/activations", new { key }, _partner), HttpStatusCode.NotFound, "NotFound");
        Assert.Empty(await _api.BalanceAsync(_owner, _ownerCompany, _project));

        // Now empty, it can be deleted.
        Assert.Equal(HttpStatusCode.NoContent, (await _api.SendAsync(HttpMethod.Delete, $"/api/v1/companies/{_ownerCompany}/projects/{_project}", null, _owner)).StatusCode);
    }

    [Fact]
    public async Task R_P2_only_admins_manage_rights()
    {
        var memberEmail = Api.NewEmail();
        var member = await _api.RegisterAndLoginAsync(memberEmail);
        Assert.Equal(HttpStatusCode.Created, (await _api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{_ownerCompany}/users", new { email = memberEmail }, _owner)).StatusCode);
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Post, Rights, new { companyId = _partnerCompany }, member), HttpStatusCode.Forbidden, "Forbidden");
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Get, Rights, null, member), HttpStatusCode.Forbidden, "Forbidden");
        Assert.Empty((await Api.Json(await _api.SendAsync(HttpMethod.Get, Rights, null, _owner)))["companyIds"]!.AsArray());
    }
    [Fact]
    public async Task R_P2_a_granted_company_adds_licenses_to_a_device_of_the_project_from_its_balance_only()
    {
        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Post, Rights, new { companyId = _partnerCompany }, _owner)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await _api.SendAsync(HttpMethod.Post, $"{AsPartner}/activations", new { key = await _api.MintKeyAsync(new Dictionary<string, int> { [Port8] = 2 }) }, _partner)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await _api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{_ownerCompany}/projects/{_otherProject}/activations", new { key = await _api.MintKeyAsync(new Dictionary<string, int> { [Port8] = 5 }) }, _owner)).StatusCode);
        var (mac, _) = await _api.RegisterHardwareAsync(Api.NewMacSuffix());
        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Post, $"{AsPartner}/devices", new { macs = new[] { mac } }, _partner)).StatusCode);
        var device = $"/api/v1/companies/{_partnerCompany}/devices/{mac}";

        // The partner sees the device it works on and binds units of the shared project to it.
        Assert.Equal(_project, (await Api.Json(await _api.SendAsync(HttpMethod.Get, device, null, _partner)))["projectId"]!.GetValue<string>());
        var added = await _api.SendAsync(HttpMethod.Post, $"{device}/licenses", new { version = "V13", licenses = new Dictionary<string, int> { [Port8] = 1 } }, _partner);
        Assert.Equal(HttpStatusCode.OK, added.StatusCode);
        Assert.Equal(_project, (await Api.Json(added))["debited"]![0]!["projectId"]!.GetValue<string>());
        Assert.Equal(1, (await _api.BalanceAsync(_owner, _ownerCompany, _project))[Port8]!.GetValue<int>());

        // R-P6: never from the owner's other projects, and nothing moves when asked to.
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Post, $"{device}/licenses", new { version = "V13", licenses = new Dictionary<string, int> { [Port8] = 3 }, fromProjects = new[] { _otherProject } }, _partner), HttpStatusCode.Forbidden, "Forbidden");
        Assert.Equal(5, (await _api.BalanceAsync(_owner, _ownerCompany, _otherProject))[Port8]!.GetValue<int>());
        Assert.Equal(1, (await _api.BalanceAsync(_owner, _ownerCompany, _project))[Port8]!.GetValue<int>());

        // Moving licenses off the device stays the owner's (a route without external rights).
        var (target, _) = await _api.RegisterHardwareAsync(Api.NewMacSuffix());
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Post, $"{device}/licenses/move", new { targetMac = target }, _partner), HttpStatusCode.NotFound, "NotFound");

        // The owner sees the lot; after revoking, the partner sees the device no more.
        var lots = (await Api.Json(await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{_ownerCompany}/devices/{mac}", null, _owner)))["licenses"]!.AsArray();
        Assert.Equal(1, Assert.Single(lots)!["units"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Delete, $"{Rights}?companyId={_partnerCompany}", null, _owner)).StatusCode);
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Get, device, null, _partner), HttpStatusCode.NotFound, "NotFound");
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Post, $"{device}/licenses", new { version = "V13", licenses = new Dictionary<string, int> { [Port8] = 1 } }, _partner), HttpStatusCode.NotFound, "NotFound");
        Assert.Equal(1, (await _api.BalanceAsync(_owner, _ownerCompany, _project))[Port8]!.GetValue<int>());
    }
}
