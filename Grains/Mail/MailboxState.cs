using System.Collections.Immutable;
using OrleansLicensing.Contracts;

namespace OrleansLicensing.Grains.State;

[GenerateSerializer]
public sealed class MailboxState
{
    /// <summary>Newest first, at most <see cref="Grains.MailboxGrain.Kept"/>.</summary>
    [Id(0)] public ImmutableArray<OutgoingMail> Mails { get; set; } = [];
}
