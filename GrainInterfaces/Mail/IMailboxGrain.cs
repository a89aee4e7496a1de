using System.Collections.Immutable;

namespace OrleansLicensing.Contracts;

/// <summary>
/// The outbox of one recipient, keyed by canonical e-mail: where mails go when no SMTP server is
/// configured, readable by the vendor (operator) and by tests. Keeps the newest mails only.
/// </summary>
public interface IMailboxGrain : IGrainWithStringKey
{
    Task AppendAsync(OutgoingMail mail);

    /// <summary>The kept mails, newest first.</summary>
    Task<ImmutableArray<OutgoingMail>> ListAsync();
}
