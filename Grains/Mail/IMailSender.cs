using OrleansLicensing.Contracts;

namespace OrleansLicensing.Grains.Mail;

/// <summary>
/// Delivers a mail (SPEC R-S5: a pluggable sender). The silo registers one: the outbox
/// (<see cref="OutboxMailSender"/>) unless an SMTP server is configured. A sender that cannot
/// deliver throws <see cref="LicensingException"/> with <see cref="ErrorCodes.MailUnavailable"/>.
/// </summary>
public interface IMailSender
{
    Task SendAsync(OutgoingMail mail, CancellationToken cancellationToken = default);
}

/// <summary>The default sender: every mail lands in the recipient's <see cref="IMailboxGrain"/>.</summary>
public sealed class OutboxMailSender(IGrainFactory grains) : IMailSender
{
    public Task SendAsync(OutgoingMail mail, CancellationToken cancellationToken = default) =>
        grains.GetGrain<IMailboxGrain>(mail.To).AppendAsync(mail);
}
