using System.Net;
using System.Text.Json.Nodes;

namespace OrleansLicensing.ApiTests;

/// <summary>Accounts: activation by the mailed code, the account's own data (R-U5, R-F3).</summary>
public sealed class AccountTests(SharedApp shared)
{
    private readonly Api _api = new(shared.App.CreateClient());

    [Fact]
    public async Task R_U5_no_token_is_issued_before_activation_with_AccountNotActivated()
    {
        var email = Api.NewEmail();
        var created = await Register(email);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        await Api.AssertProblem(await Token(email), HttpStatusCode.Forbidden, "AccountNotActivated");

        // A wrong password learns nothing about the account's state.
        await Api.AssertProblem(await Token(email, "not the password"), HttpStatusCode.Unauthorized, "Unauthorized");

        var mail = Assert.Single(await _api.MailsAsync(email))!;
        Assert.Equal("Activation", mail["kind"]!.GetValue<string>());
        Assert.Equal(email.ToLowerInvariant(), mail["to"]!.GetValue<string>());
        var code = Api.CodeIn(mail["body"]!.GetValue<string>());

        await Api.AssertProblem(await Activate(email, "AAAA-BBBB-CCCC-DDDD"), HttpStatusCode.BadRequest, "ActivationCodeInvalid");
        await Api.AssertProblem(await Activate(email, "not a code"), HttpStatusCode.BadRequest, "ActivationCodeInvalid");
        await Api.AssertProblem(await Token(email), HttpStatusCode.Forbidden, "AccountNotActivated");

        var activated = await Activate(email, code.ToLowerInvariant());
        Assert.Equal(HttpStatusCode.OK, activated.StatusCode);
        Assert.Equal(email.ToLowerInvariant(), (await Api.Json(activated))["email"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await Token(email)).StatusCode);

        // A retried activation with the same code answers the same.
        Assert.Equal(HttpStatusCode.OK, (await Activate(email, code)).StatusCode);
    }

    [Fact]
    public async Task R_U5_a_code_for_one_address_does_not_activate_another()
    {
        var first = Api.NewEmail();
        var second = Api.NewEmail();
        await Register(first);
        await Register(second);
        await Api.AssertProblem(await Activate(second, await _api.MailedCodeAsync(first)), HttpStatusCode.BadRequest, "ActivationCodeInvalid");
        await Api.AssertProblem(await Activate(Api.NewEmail(), await _api.MailedCodeAsync(first)), HttpStatusCode.BadRequest, "ActivationCodeInvalid");
        await Api.AssertProblem(await Token(second), HttpStatusCode.Forbidden, "AccountNotActivated");
    }

    [Fact]
    public async Task R_U5_registering_again_before_activation_mails_a_fresh_code_and_other_data_is_AccountExists()
    {
        var email = Api.NewEmail();
        await Register(email);
        var firstCode = await _api.MailedCodeAsync(email);
        Assert.Equal(HttpStatusCode.Created, (await Register(email)).StatusCode);
        var mails = await _api.MailsAsync(email);
        Assert.Equal(2, mails.Count);
        var secondCode = Api.CodeIn(mails[0]!["body"]!.GetValue<string>());
        Assert.NotEqual(firstCode, secondCode);

        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Post, "/api/v1/accounts", new { email, password = "someone else's", displayName = "Test User", language = "en" }), HttpStatusCode.Conflict, "AccountExists");
        Assert.Equal(2, (await _api.MailsAsync(email)).Count);

        await Api.AssertProblem(await Activate(email, firstCode), HttpStatusCode.BadRequest, "ActivationCodeInvalid");
        Assert.Equal(HttpStatusCode.OK, (await Activate(email, secondCode)).StatusCode);
        await Api.AssertProblem(await Register(email), HttpStatusCode.Conflict, "AccountExists");
    }

    [Fact]
    public async Task R_F3_registration_activation_and_sign_in_compare_e_mail_addresses_case_insensitively()
    {
        var email = $"Mixed.Case-{Guid.NewGuid():N}@Example.COM";
        await Register(email);
        var code = await _api.MailedCodeAsync(email.ToUpperInvariant());
        Assert.Equal(HttpStatusCode.OK, (await Activate(email.ToUpperInvariant(), code)).StatusCode);
        var token = await _api.LoginAsync(email.ToLowerInvariant());
        var me = await Api.Json(await _api.SendAsync(HttpMethod.Get, "/api/v1/me", null, token));
        Assert.Equal(email.ToLowerInvariant(), me["email"]!.GetValue<string>());
        await Api.AssertProblem(await Register(email.ToLowerInvariant()), HttpStatusCode.Conflict, "AccountExists");
    }

    [Theory]
    [InlineData("en", "Activate your account")]
    [InlineData("de", "Aktivieren Sie Ihr Konto")]
    [InlineData("fr", "Activez votre compte")]
    [InlineData("it", "Attivi il suo account")]
    [InlineData("nl", "Activeer uw account")]
    public async Task R_U5_the_activation_mail_is_in_the_account_language(string language, string subject)
    {
        var email = Api.NewEmail();
        Assert.Equal(HttpStatusCode.Created, (await Register(email, language.ToUpperInvariant())).StatusCode);
        var mail = Assert.Single(await _api.MailsAsync(email))!;
        Assert.Equal(language, mail["language"]!.GetValue<string>());
        Assert.Equal(subject, mail["subject"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await Activate(email, Api.CodeIn(mail["body"]!.GetValue<string>()))).StatusCode);
        var me = await Api.Json(await _api.SendAsync(HttpMethod.Get, "/api/v1/me", null, await _api.LoginAsync(email)));
        Assert.Equal(language, me["language"]!.GetValue<string>());
    }

    [Fact]
    public async Task R_U5_a_language_outside_the_five_is_ValidationFailed_and_registers_nothing()
    {
        var email = Api.NewEmail();
        await Api.AssertProblem(await Register(email, "es"), HttpStatusCode.BadRequest, "ValidationFailed");
        Assert.Empty(await _api.MailsAsync(email));
        await Api.AssertProblem(await Token(email), HttpStatusCode.Unauthorized, "Unauthorized");
    }

    [Fact]
    public async Task R_U5_every_account_change_requires_the_current_password_with_CurrentPasswordWrong()
    {
        var email = Api.NewEmail();
        var token = await _api.RegisterAndLoginAsync(email);
        var before = await Me(token);
        var newAddress = Api.NewEmail();
        var changes = new { currentPassword = "wrong password", displayName = "Changed", language = "de", mailOptOut = true, newPassword = "a new password", email = newAddress };
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Patch, "/api/v1/me", changes, token), HttpStatusCode.Forbidden, "CurrentPasswordWrong");
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Patch, "/api/v1/me", changes with { currentPassword = "" }, token), HttpStatusCode.Forbidden, "CurrentPasswordWrong");
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Patch, "/api/v1/me", new { displayName = "Changed" }, token), HttpStatusCode.BadRequest, "ValidationFailed");

        Assert.Equal(before.ToJsonString(), (await Me(token)).ToJsonString());
        Assert.Empty(await _api.MailsAsync(newAddress));
        await Api.AssertProblem(await Token(email, "a new password"), HttpStatusCode.Unauthorized, "Unauthorized");
    }

    [Fact]
    public async Task R_U5_me_changes_display_name_language_mail_opt_out_and_password_with_the_current_password()
    {
        var email = Api.NewEmail();
        var token = await _api.RegisterAndLoginAsync(email);
        var changed = await _api.SendAsync(HttpMethod.Patch, "/api/v1/me", new { currentPassword = Api.Password, displayName = "Anna Beispiel", language = "nl", mailOptOut = true, newPassword = "a brand new password" }, token);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);

        // The new password ends the sessions of the old one (issue 13): the token is refused.
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Get, "/api/v1/me", null, token), HttpStatusCode.Unauthorized, "Unauthorized");
        await Api.AssertProblem(await Token(email), HttpStatusCode.Unauthorized, "Unauthorized");
        token = await _api.LoginAsync(email, "a brand new password");
        var me = await Me(token);
        Assert.Equal("Anna Beispiel", me["displayName"]!.GetValue<string>());
        Assert.Equal("nl", me["language"]!.GetValue<string>());
        Assert.True(me["mailOptOut"]!.GetValue<bool>());
        Assert.Null(me["pendingEmail"]?.GetValue<string>());

        // Bad values are refused as a whole.
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Patch, "/api/v1/me", new { currentPassword = "a brand new password", displayName = "Other", language = "xx" }, token), HttpStatusCode.BadRequest, "ValidationFailed");
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Patch, "/api/v1/me", new { currentPassword = "a brand new password", displayName = "Other", newPassword = "short" }, token), HttpStatusCode.BadRequest, "ValidationFailed");
        Assert.Equal("Anna Beispiel", (await Me(token))["displayName"]!.GetValue<string>());
    }

    [Fact]
    public async Task R_U5_a_new_e_mail_takes_effect_only_after_the_new_address_is_activated()
    {
        var oldEmail = Api.NewEmail().ToLowerInvariant();
        var newEmail = Api.NewEmail().ToLowerInvariant();
        var token = await _api.RegisterAndLoginAsync(oldEmail);
        var (companyId, _) = await _api.CreateCompanyAsync(token);
        await _api.SendAsync(HttpMethod.Patch, "/api/v1/me", new { currentPassword = Api.Password, language = "fr" }, token);

        var requested = await _api.SendAsync(HttpMethod.Patch, "/api/v1/me", new { currentPassword = Api.Password, email = newEmail.ToUpperInvariant() }, token);
        Assert.Equal(HttpStatusCode.OK, requested.StatusCode);
        var pending = await Api.Json(requested);
        Assert.Equal(oldEmail, pending["email"]!.GetValue<string>());
        Assert.Equal(newEmail, pending["pendingEmail"]!.GetValue<string>());

        // Until activation the old address is the account; the new one is not usable.
        await _api.LoginAsync(oldEmail);
        await Api.AssertProblem(await Token(newEmail), HttpStatusCode.Unauthorized, "Unauthorized");
        await Api.AssertProblem(await Register(newEmail), HttpStatusCode.Conflict, "AccountExists");
        var mail = Assert.Single(await _api.MailsAsync(newEmail))!;
        Assert.Equal(("EmailChange", "fr"), (mail["kind"]!.GetValue<string>(), mail["language"]!.GetValue<string>()));
        await Api.AssertProblem(await Activate(newEmail, "AAAA-BBBB-CCCC-DDDD"), HttpStatusCode.BadRequest, "ActivationCodeInvalid");

        var code = Api.CodeIn(mail["body"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await Activate(newEmail, code)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Activate(newEmail, code)).StatusCode);

        var newToken = await _api.LoginAsync(newEmail);
        var me = await Me(newToken);
        Assert.Equal(newEmail, me["email"]!.GetValue<string>());
        Assert.Equal("fr", me["language"]!.GetValue<string>());
        Assert.Contains(companyId, me["companyIds"]!.AsArray().Select(id => id!.GetValue<string>()));
        await Api.AssertProblem(await Token(oldEmail), HttpStatusCode.Unauthorized, "Unauthorized");

        // The membership moved with the account: still the company's admin, under the new address.
        var users = await Api.Json(await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{companyId}/users", null, newToken));
        var member = Assert.Single(users.AsArray())!;
        Assert.Equal(newEmail, member["email"]!.GetValue<string>());
        Assert.True(member["admin"]!.GetValue<bool>());
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{companyId}", null, token), HttpStatusCode.NotFound, "NotFound");

        // The old address is free again.
        Assert.Equal(HttpStatusCode.Created, (await Register(oldEmail)).StatusCode);
    }

    [Fact]
    public async Task R_U5_an_e_mail_change_to_a_taken_address_is_AccountExists_and_changes_nothing()
    {
        var taken = Api.NewEmail();
        await _api.RegisterAndLoginAsync(taken);
        var token = await _api.RegisterAndLoginAsync();
        var before = await Me(token);
        var mailsBefore = (await _api.MailsAsync(taken)).Count;
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Patch, "/api/v1/me", new { currentPassword = Api.Password, displayName = "Changed", email = taken }, token), HttpStatusCode.Conflict, "AccountExists");
        Assert.Equal(before.ToJsonString(), (await Me(token)).ToJsonString());
        Assert.Equal(mailsBefore, (await _api.MailsAsync(taken)).Count);
    }

    private Task<HttpResponseMessage> Register(string email, string language = "en") =>
        _api.SendAsync(HttpMethod.Post, "/api/v1/accounts", new { email, password = Api.Password, displayName = "Test User", language });

    private Task<HttpResponseMessage> Activate(string email, string code) =>
        _api.SendAsync(HttpMethod.Post, "/api/v1/accounts/activate", new { email, code });

    private Task<HttpResponseMessage> Token(string email, string password = Api.Password) =>
        _api.SendAsync(HttpMethod.Post, "/api/v1/auth/token", new { email, password });

    private async Task<JsonNode> Me(string token)
    {
        var response = await _api.SendAsync(HttpMethod.Get, "/api/v1/me", null, token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await Api.Json(response);
    }
}
