using System.Collections.Immutable;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.State;

namespace OrleansLicensing.Grains.Grains;

public sealed class MailboxGrain(
    [PersistentState("mailbox", StorageNames.Licensing)] IPersistentState<MailboxState> mailbox) : Grain, IMailboxGrain
{
    /// <summary>An outbox is for reading recent mails, not an archive.</summary>
    public const int Kept = 20;

    public async Task AppendAsync(OutgoingMail mail)
    {
        var mails = mailbox.State.Mails.Insert(0, mail);
        mailbox.State.Mails = mails.Length > Kept ? mails[..Kept] : mails;
        await mailbox.WriteStateAsync();
    }

    public Task<ImmutableArray<OutgoingMail>> ListAsync() => Task.FromResult(mailbox.State.Mails);
}
