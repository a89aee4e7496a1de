using System.Net;

namespace OrleansLicensing.ApiTests;

/// <summary>The SMTP sender (MailKit) against a listener in this project, and its failure answer (R-U5 activation mails).</summary>
public sealed class MailTests
{
    [Fact]
    public async Task R_U5_with_Mail_Smtp_configured_the_activation_mail_is_delivered_over_SMTP_in_the_account_language()
    {
        await using var smtp = new SmtpListener();
        await using var app = new LicensingApp("Memory", settings: SmtpSettings(smtp.Port));
        var api = new Api(app.CreateClient());
        var email = Api.NewEmail().ToLowerInvariant();

        var created = await api.SendAsync(HttpMethod.Post, "/api/v1/accounts", new { email, password = Api.Password, displayName = "Jürgen Müller", language = "de" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        var (recipients, message) = Assert.Single(smtp.Received);
        Assert.Equal([email], recipients);
        Assert.Equal(email, Assert.Single(message.To.Mailboxes).Address);
        Assert.Equal("portal@example.com", Assert.Single(message.From.Mailboxes).Address);
        Assert.Equal("Aktivieren Sie Ihr Konto", message.Subject);
        Assert.Equal("de", message.Body!.Headers[MimeKit.HeaderId.ContentLanguage]);
        Assert.Contains("Hallo Jürgen Müller,", message.TextBody, StringComparison.Ordinal);

        // With SMTP the outbox stays empty; the mailed code activates the account.
        Assert.Empty(await api.MailsAsync(email));
        var activated = await api.SendAsync(HttpMethod.Post, "/api/v1/accounts/activate", new { email, code = Api.CodeIn(message.TextBody ?? string.Empty) });
        Assert.Equal(HttpStatusCode.OK, activated.StatusCode);
        await api.LoginAsync(email);
    }

    [Fact]
    public async Task R_U5_an_unreachable_SMTP_server_is_MailUnavailable_and_registers_nothing()
    {
        await using var app = new LicensingApp("Memory", settings: SmtpSettings(LicensingApp.FreePort()));
        var api = new Api(app.CreateClient());
        var email = Api.NewEmail();

        var refused = await api.SendAsync(HttpMethod.Post, "/api/v1/accounts", new { email, password = Api.Password, displayName = "Test User", language = "en" });
        await Api.AssertProblem(refused, HttpStatusCode.ServiceUnavailable, "MailUnavailable");
        await Api.AssertProblem(await api.SendAsync(HttpMethod.Post, "/api/v1/auth/token", new { email, password = Api.Password }), HttpStatusCode.Unauthorized, "Unauthorized");

        // Nothing was stored: the same registration succeeds once mail works (here: a different password is no conflict).
        await using var smtp = new SmtpListener();
        await using var working = new LicensingApp("Memory", settings: SmtpSettings(smtp.Port));
        Assert.Equal(HttpStatusCode.Created, (await new Api(working.CreateClient()).SendAsync(HttpMethod.Post, "/api/v1/accounts", new { email, password = "another password", displayName = "Test User", language = "en" })).StatusCode);
    }

    [Fact]
    public async Task An_SMTP_host_without_a_valid_sender_address_stops_the_node_at_start()
    {
        var settings = new Dictionary<string, string>(SmtpSettings(LicensingApp.FreePort())) { ["Mail:Smtp:From"] = "not an address" };
        await using var app = new LicensingApp("Memory", settings: settings);
        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());
        Assert.Contains("Mail:Smtp", error.ToString(), StringComparison.Ordinal);
    }

    private static Dictionary<string, string> SmtpSettings(int port) => new()
    {
        ["Mail:Smtp:Host"] = "127.0.0.1",
        ["Mail:Smtp:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Mail:Smtp:Security"] = "None",
        ["Mail:Smtp:From"] = "portal@example.com",
        ["Mail:Smtp:TimeoutSeconds"] = "5",
    };
}
