using System.Net;
using System.Text.Json.Nodes;

namespace OrleansLicensing.ApiTests;

/// <summary>Company data and users: membership, admin and locked flags, rights (R-U1, R-U2, R-U4).</summary>
public sealed class CompanyUsersTests(SharedApp shared)
{
    private readonly Api _api = new(shared.App.CreateClient());

    [Fact]
    public async Task R_U2_the_creator_is_admin_and_admins_hold_every_right()
    {
        var admin = await User();
        var (companyId, _) = await _api.CreateCompanyAsync(admin.Token);
        var member = Assert.Single(await Users(admin.Token, companyId))!;
        Assert.Equal(admin.Email, member["email"]!.GetValue<string>());
        Assert.True(member["admin"]!.GetValue<bool>());
        Assert.False(member["locked"]!.GetValue<bool>());
        Assert.Equal(["BuyOnCredit", "CheckDeviceStatus", "MoveLicenses", "RequestCertificate"], Rights(member));
    }

    [Fact]
    public async Task R_U1_an_account_belongs_to_several_companies_with_flags_and_rights_per_company()
    {
        var (adminX, companyX) = await Company("X");
        var (adminY, companyY) = await Company("Y");
        var user = await User();

        var added = await _api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{companyX}/users", new { email = user.Email.ToUpperInvariant(), rights = new[] { "MoveLicenses" } }, adminX.Token);
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        var member = await Api.Json(added);
        Assert.Equal((user.Email, false, false), (member["email"]!.GetValue<string>(), member["admin"]!.GetValue<bool>(), member["locked"]!.GetValue<bool>()));
        Assert.Equal(["MoveLicenses"], Rights(member));
        Assert.Equal(HttpStatusCode.Created, (await _api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{companyY}/users", new { email = user.Email, admin = true }, adminY.Token)).StatusCode);

        var me = await Api.Json(await _api.SendAsync(HttpMethod.Get, "/api/v1/me", null, user.Token));
        Assert.Equal(new[] { companyX, companyY }.Order(), me["companyIds"]!.AsArray().Select(id => id!.GetValue<string>()).Order());

        var inX = (await Users(adminX.Token, companyX)).Single(m => m!["email"]!.GetValue<string>() == user.Email)!;
        var inY = (await Users(adminY.Token, companyY)).Single(m => m!["email"]!.GetValue<string>() == user.Email)!;
        Assert.False(inX["admin"]!.GetValue<bool>());
        Assert.Equal(["MoveLicenses"], Rights(inX));
        Assert.True(inY["admin"]!.GetValue<bool>());
        Assert.Equal(4, Rights(inY).Length);

        // Adding someone twice is a conflict and changes nothing.
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{companyX}/users", new { email = user.Email, admin = true }, adminX.Token), HttpStatusCode.Conflict, "Conflict");
        Assert.False((await Users(adminX.Token, companyX)).Single(m => m!["email"]!.GetValue<string>() == user.Email)!["admin"]!.GetValue<bool>());
    }

    [Fact]
    public async Task R_U1_a_locked_user_gets_UserLocked_in_that_company_only()
    {
        var (adminX, companyX) = await Company("X");
        var (adminY, companyY) = await Company("Y");
        var user = await User();
        await Add(adminX, companyX, user.Email);
        await Add(adminY, companyY, user.Email);

        var locked = await _api.SendAsync(HttpMethod.Patch, $"/api/v1/companies/{companyX}/users/{user.Email}", new { locked = true }, adminX.Token);
        Assert.Equal(HttpStatusCode.OK, locked.StatusCode);
        Assert.True((await Api.Json(locked))["locked"]!.GetValue<bool>());

        // The lock ends the user's tokens (issue 13); signed in again, the lock holds in X only.
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Get, "/api/v1/me", null, user.Token), HttpStatusCode.Unauthorized, "Unauthorized");
        var token = await _api.LoginAsync(user.Email);
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{companyX}", null, token), HttpStatusCode.Forbidden, "UserLocked");
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{companyX}/projects", null, token), HttpStatusCode.Forbidden, "UserLocked");
        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{companyY}", null, token)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Get, "/api/v1/me", null, token)).StatusCode);

        await _api.SendAsync(HttpMethod.Patch, $"/api/v1/companies/{companyX}/users/{user.Email}", new { locked = false }, adminX.Token);
        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{companyX}", null, token)).StatusCode);
    }

    [Fact]
    public async Task R_U2_only_admins_add_remove_lock_users_grant_admin_or_rights_and_edit_company_data_with_Forbidden()
    {
        var (admin, companyId) = await Company("Acme");
        var user = await User();
        var other = await User();
        await Add(admin, companyId, user.Email, rights: ["BuyOnCredit", "MoveLicenses", "CheckDeviceStatus", "RequestCertificate"]);
        await Add(admin, companyId, other.Email);
        var before = (await Users(admin.Token, companyId)).ToJsonString();

        var outsider = await User();
        var attempts = new (HttpMethod Method, string Path, object? Body)[]
        {
            (HttpMethod.Post, $"/api/v1/companies/{companyId}/users", new { email = outsider.Email }),
            (HttpMethod.Patch, $"/api/v1/companies/{companyId}/users/{other.Email}", new { locked = true }),
            (HttpMethod.Patch, $"/api/v1/companies/{companyId}/users/{other.Email}", new { admin = true }),
            (HttpMethod.Patch, $"/api/v1/companies/{companyId}/users/{other.Email}", new { rights = new[] { "MoveLicenses" } }),
            (HttpMethod.Patch, $"/api/v1/companies/{companyId}/users/{user.Email}", new { admin = true }),
            (HttpMethod.Delete, $"/api/v1/companies/{companyId}/users/{other.Email}", null),
            (HttpMethod.Delete, $"/api/v1/companies/{companyId}/users/{admin.Email}", null),
            (HttpMethod.Patch, $"/api/v1/companies/{companyId}", new { name = "Taken Over Ltd" }),
        };
        foreach (var (method, path, body) in attempts)
        {
            await Api.AssertProblem(await _api.SendAsync(method, path, body, user.Token), HttpStatusCode.Forbidden, "Forbidden");
        }

        // Every right does not make an admin; the non-editable list stays readable.
        Assert.Equal(before, (await Users(user.Token, companyId)).ToJsonString());
        Assert.Equal("Acme", (await Api.Json(await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{companyId}", null, user.Token)))["name"]!.GetValue<string>());
        Assert.DoesNotContain(companyId, (await Api.Json(await _api.SendAsync(HttpMethod.Get, "/api/v1/me", null, outsider.Token)))["companyIds"]!.AsArray().Select(id => id!.GetValue<string>()));
    }

    [Fact]
    public async Task R_U2_an_admin_grants_admin_and_rights_and_the_new_admin_can_manage_users()
    {
        var (admin, companyId) = await Company("Acme");
        var user = await User();
        var third = await User();
        await Add(admin, companyId, user.Email);

        var granted = await Api.Json(await _api.SendAsync(HttpMethod.Patch, $"/api/v1/companies/{companyId}/users/{user.Email}", new { rights = new[] { "CheckDeviceStatus", "RequestCertificate" } }, admin.Token));
        Assert.Equal(["CheckDeviceStatus", "RequestCertificate"], Rights(granted));
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Patch, $"/api/v1/companies/{companyId}/users/{user.Email}", new { admin = true, rights = new[] { "Everything" } }, admin.Token), HttpStatusCode.BadRequest, "ValidationFailed");
        Assert.False((await Member(admin.Token, companyId, user.Email))["admin"]!.GetValue<bool>());

        var promoted = await Api.Json(await _api.SendAsync(HttpMethod.Patch, $"/api/v1/companies/{companyId}/users/{user.Email}", new { admin = true }, admin.Token));
        Assert.True(promoted["admin"]!.GetValue<bool>());
        Assert.Equal(4, Rights(promoted).Length);
        Assert.Equal(HttpStatusCode.Created, (await _api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{companyId}/users", new { email = third.Email }, user.Token)).StatusCode);

        // Demoted again, the granted rights are what remains.
        var demoted = await Api.Json(await _api.SendAsync(HttpMethod.Patch, $"/api/v1/companies/{companyId}/users/{user.Email}", new { admin = false }, admin.Token));
        Assert.Equal(["CheckDeviceStatus", "RequestCertificate"], Rights(demoted));
    }

    [Fact]
    public async Task R_U2_last_admin_cannot_be_locked_with_LastAdmin()
    {
        var (admin, companyId) = await Company("Acme");
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Patch, $"/api/v1/companies/{companyId}/users/{admin.Email}", new { locked = true }, admin.Token), HttpStatusCode.Conflict, "LastAdmin");
        var member = await Member(admin.Token, companyId, admin.Email);
        Assert.False(member["locked"]!.GetValue<bool>());

        // With a second unlocked admin, the first can be locked.
        var second = await User();
        await Add(admin, companyId, second.Email, admin: true);
        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Patch, $"/api/v1/companies/{companyId}/users/{admin.Email}", new { locked = true }, second.Token)).StatusCode);
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{companyId}", null, admin.Token), HttpStatusCode.Unauthorized, "Unauthorized");
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{companyId}", null, await _api.LoginAsync(admin.Email)), HttpStatusCode.Forbidden, "UserLocked");
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Patch, $"/api/v1/companies/{companyId}/users/{second.Email}", new { locked = true }, second.Token), HttpStatusCode.Conflict, "LastAdmin");
    }

    [Fact]
    public async Task R_U2_last_admin_cannot_be_demoted_with_LastAdmin_and_a_locked_admin_does_not_count()
    {
        var (admin, companyId) = await Company("Acme");
        var lockedAdmin = await User();
        await Add(admin, companyId, lockedAdmin.Email, admin: true, locked: true);

        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Patch, $"/api/v1/companies/{companyId}/users/{admin.Email}", new { admin = false }, admin.Token), HttpStatusCode.Conflict, "LastAdmin");
        Assert.True((await Member(admin.Token, companyId, admin.Email))["admin"]!.GetValue<bool>());

        // Unlocking the other admin first makes the demotion possible.
        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Patch, $"/api/v1/companies/{companyId}/users/{lockedAdmin.Email}", new { locked = false }, admin.Token)).StatusCode);
        var demoted = await Api.Json(await _api.SendAsync(HttpMethod.Patch, $"/api/v1/companies/{companyId}/users/{admin.Email}", new { admin = false }, admin.Token));
        Assert.False(demoted["admin"]!.GetValue<bool>());
    }

    [Fact]
    public async Task R_U2_last_admin_cannot_be_removed_with_LastAdmin()
    {
        var (admin, companyId) = await Company("Acme");
        var user = await User();
        await Add(admin, companyId, user.Email);
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Delete, $"/api/v1/companies/{companyId}/users/{admin.Email}", null, admin.Token), HttpStatusCode.Conflict, "LastAdmin");
        Assert.Equal(2, (await Users(admin.Token, companyId)).Count);
        Assert.Contains(companyId, (await Api.Json(await _api.SendAsync(HttpMethod.Get, "/api/v1/me", null, admin.Token)))["companyIds"]!.AsArray().Select(id => id!.GetValue<string>()));
    }

    [Fact]
    public async Task R_U2_adding_an_address_without_an_activated_account_is_UserNotFound()
    {
        var (admin, companyId) = await Company("Acme");
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{companyId}/users", new { email = Api.NewEmail() }, admin.Token), HttpStatusCode.NotFound, "UserNotFound");

        var pending = Api.NewEmail();
        await _api.SendAsync(HttpMethod.Post, "/api/v1/accounts", new { email = pending, password = Api.Password, displayName = "Pending", language = "en" });
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{companyId}/users", new { email = pending }, admin.Token), HttpStatusCode.NotFound, "UserNotFound");
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{companyId}/users", new { email = "not-an-address" }, admin.Token), HttpStatusCode.BadRequest, "InvalidEmail");
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Patch, $"/api/v1/companies/{companyId}/users/{Api.NewEmail()}", new { locked = true }, admin.Token), HttpStatusCode.NotFound, "NotFound");
        Assert.Single(await Users(admin.Token, companyId));
    }

    [Fact]
    public async Task R_U4_removing_a_user_keeps_the_account_and_the_record_of_the_membership()
    {
        var (admin, companyId) = await Company("Acme");
        var user = await User();
        await Add(admin, companyId, user.Email, rights: ["MoveLicenses"]);

        Assert.Equal(HttpStatusCode.NoContent, (await _api.SendAsync(HttpMethod.Delete, $"/api/v1/companies/{companyId}/users/{user.Email.ToUpperInvariant()}", null, admin.Token)).StatusCode);
        Assert.Single(await Users(admin.Token, companyId));

        // Removal ends the user's tokens (issue 13); signed in again, the company is gone for them.
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Get, "/api/v1/me", null, user.Token), HttpStatusCode.Unauthorized, "Unauthorized");
        var token = await _api.LoginAsync(user.Email);
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{companyId}", null, token), HttpStatusCode.NotFound, "NotFound");
        var me = await Api.Json(await _api.SendAsync(HttpMethod.Get, "/api/v1/me", null, token));
        Assert.Empty(me["companyIds"]!.AsArray());

        var removed = Assert.Single((await Api.Json(await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{companyId}/users/removed", null, admin.Token))).AsArray())!;
        Assert.Equal(user.Email, removed["email"]!.GetValue<string>());
        Assert.Equal(["MoveLicenses"], Rights(removed));
        Assert.Equal(admin.Email, removed["removedBy"]!.GetValue<string>());

        // A retried removal succeeds; an address that never was a member is 404.
        Assert.Equal(HttpStatusCode.NoContent, (await _api.SendAsync(HttpMethod.Delete, $"/api/v1/companies/{companyId}/users/{user.Email}", null, admin.Token)).StatusCode);
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Delete, $"/api/v1/companies/{companyId}/users/{Api.NewEmail()}", null, admin.Token), HttpStatusCode.NotFound, "NotFound");

        // The user can be added again.
        await Add(admin, companyId, user.Email);
        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{companyId}", null, token)).StatusCode);
    }

    [Fact]
    public async Task R_U2_admins_edit_company_data()
    {
        var (admin, companyId) = await Company("Acme");
        var edited = await _api.SendAsync(HttpMethod.Patch, $"/api/v1/companies/{companyId}", new { name = "Acme AG", street = "Hauptstrasse 1", postalCode = "8000", city = "Zürich", country = "CH", phone = "+41 44 000 00 00" }, admin.Token);
        Assert.Equal(HttpStatusCode.OK, edited.StatusCode);
        var company = await Api.Json(await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{companyId}", null, admin.Token));
        Assert.Equal(("Acme AG", "Hauptstrasse 1", "8000", "Zürich", "CH"), (company["name"]!.GetValue<string>(), company["street"]!.GetValue<string>(), company["postalCode"]!.GetValue<string>(), company["city"]!.GetValue<string>(), company["country"]!.GetValue<string>()));

        // Omitted fields stay, an empty one is cleared; an empty name is refused with nothing applied.
        await _api.SendAsync(HttpMethod.Patch, $"/api/v1/companies/{companyId}", new { phone = "" }, admin.Token);
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Patch, $"/api/v1/companies/{companyId}", new { name = " ", city = "Bern" }, admin.Token), HttpStatusCode.BadRequest, "ValidationFailed");
        company = await Api.Json(await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{companyId}", null, admin.Token));
        Assert.Equal(("Acme AG", "Zürich"), (company["name"]!.GetValue<string>(), company["city"]!.GetValue<string>()));
        Assert.Null(company["phone"]?.GetValue<string>());
    }

    [Fact]
    public async Task Tenancy_the_users_routes_of_another_company_are_404_and_reveal_no_member()
    {
        var (admin, companyId) = await Company("Acme");
        var (stranger, _) = await Company("Other");
        foreach (var (method, path, body) in new (HttpMethod, string, object?)[]
        {
            (HttpMethod.Get, $"/api/v1/companies/{companyId}/users", null),
            (HttpMethod.Get, $"/api/v1/companies/{companyId}/users/removed", null),
            (HttpMethod.Post, $"/api/v1/companies/{companyId}/users", new { email = stranger.Email }),
            (HttpMethod.Patch, $"/api/v1/companies/{companyId}/users/{admin.Email}", new { locked = true }),
            (HttpMethod.Delete, $"/api/v1/companies/{companyId}/users/{admin.Email}", null),
            (HttpMethod.Patch, $"/api/v1/companies/{companyId}", new { name = "Mine now" }),
        })
        {
            var response = await _api.SendAsync(method, path, body, stranger.Token);
            var problem = await Api.AssertProblem(response, HttpStatusCode.NotFound, "NotFound");
            Assert.DoesNotContain(admin.Email, problem.ToJsonString(), StringComparison.Ordinal);
        }

        var member = Assert.Single(await Users(admin.Token, companyId))!;
        Assert.False(member["locked"]!.GetValue<bool>());
        Assert.Equal("Acme", (await Api.Json(await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{companyId}", null, admin.Token)))["name"]!.GetValue<string>());
    }

    private async Task<(string Email, string Token)> User()
    {
        var email = Api.NewEmail().ToLowerInvariant();
        return (email, await _api.RegisterAndLoginAsync(email));
    }

    private async Task<((string Email, string Token) Admin, string CompanyId)> Company(string name)
    {
        var admin = await User();
        var (companyId, _) = await _api.CreateCompanyAsync(admin.Token, name);
        return (admin, companyId);
    }

    private async Task Add((string Email, string Token) by, string companyId, string email, bool admin = false, bool locked = false, string[]? rights = null) =>
        Assert.Equal(HttpStatusCode.Created, (await _api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{companyId}/users", new { email, admin, locked, rights = rights ?? [] }, by.Token)).StatusCode);

    private async Task<JsonArray> Users(string token, string companyId)
    {
        var response = await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{companyId}/users", null, token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await Api.Json(response)).AsArray();
    }

    private async Task<JsonNode> Member(string token, string companyId, string email) =>
        (await Users(token, companyId)).Single(m => m!["email"]!.GetValue<string>() == email)!;

    private static string[] Rights(JsonNode member) => [.. member["rights"]!.AsArray().Select(r => r!.GetValue<string>())];
}
