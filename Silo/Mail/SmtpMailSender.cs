using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Logging;
using MimeKit;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Mail;

namespace OrleansLicensing.Silo.Mail;

/// <summary>
/// Delivers mails to the configured SMTP server with MailKit, one connection per mail (account
/// mails are rare; a pooled connection would need its own health handling). A server that
/// cannot be reached or refuses the mail becomes 503 <see cref="ErrorCodes.MailUnavailable"/>.
/// </summary>
public sealed class SmtpMailSender(SmtpSettings settings, ILogger<SmtpMailSender> logger) : IMailSender
{
    public async Task SendAsync(OutgoingMail mail, CancellationToken cancellationToken = default)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress(settings.FromName, settings.From ?? string.Empty));
        message.To.Add(MailboxAddress.Parse(mail.To));
        message.Subject = mail.Subject;
        var text = new TextPart(MimeKit.Text.TextFormat.Plain) { Text = mail.Body };
        text.Headers.Add(HeaderId.ContentLanguage, mail.Language);
        message.Body = text;

        using var client = new SmtpClient { Timeout = settings.TimeoutSeconds * 1000 };
        try
        {
            await client.ConnectAsync(settings.Host ?? string.Empty, settings.Port, Options(settings.Security), cancellationToken);
            if (!string.IsNullOrEmpty(settings.UserName))
            {
                await client.AuthenticateAsync(settings.UserName, settings.Password ?? string.Empty, cancellationToken);
            }

            await client.SendAsync(message, cancellationToken);
            await client.DisconnectAsync(quit: true, cancellationToken);
        }
        catch (Exception e) when (e is SmtpCommandException or SmtpProtocolException or AuthenticationException or IOException or System.Net.Sockets.SocketException or TimeoutException or SslHandshakeException)
        {
            logger.LogWarning("Mail of kind {Kind} could not be delivered to the SMTP server {Host}:{Port}: {Error}", mail.Kind, settings.Host, settings.Port, e.Message);
            throw new LicensingException(ErrorCodes.MailUnavailable, "The mail could not be sent; nothing was changed. Retry later.");
        }
    }

    private static SecureSocketOptions Options(SmtpSecurity security) => security switch
    {
        SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
        SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
        SmtpSecurity.None => SecureSocketOptions.None,
        _ => SecureSocketOptions.Auto,
    };
}
