namespace OrleansLicensing.Contracts;

/// <summary>Why a mail was sent.</summary>
public static class MailKinds
{
    /// <summary>A new account's activation code (R-U5).</summary>
    public const string Activation = nameof(Activation);

    /// <summary>The code that activates a new e-mail address of an account (R-U5).</summary>
    public const string EmailChange = nameof(EmailChange);

    /// <summary>A project's SSA ends soon: seven weeks before, then weekly (R-S5).</summary>
    public const string SsaExpiry = nameof(SsaExpiry);
}

/// <summary>A mail as it was handed to the sender: one recipient, plain text, in the recipient's language.</summary>
[GenerateSerializer, Immutable]
public sealed record OutgoingMail(
    [property: Id(0)] string To,
    [property: Id(1)] string Kind,
    [property: Id(2)] string Language,
    [property: Id(3)] string Subject,
    [property: Id(4)] string Body,
    [property: Id(5)] DateTimeOffset CreatedAt);
