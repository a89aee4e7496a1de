using System.Collections.Immutable;
using OrleansLicensing.Contracts;

namespace OrleansLicensing.Grains.State;

[GenerateSerializer]
public sealed class UserState
{
    [Id(0)] public bool Registered { get; set; }
    [Id(1)] public string DisplayName { get; set; } = string.Empty;
    [Id(2)] public string Language { get; set; } = "en";
    [Id(3)] public string PasswordHash { get; set; } = string.Empty;
    [Id(4)] public ImmutableArray<string> CompanyIds { get; set; } = [];

    /// <summary>Registered but not yet activated (R-U5). Inverted so accounts stored before activation existed stay usable.</summary>
    [Id(5)] public bool ActivationPending { get; set; }

    /// <summary>SHA-256 of the last code mailed to this address (activation or e-mail change); kept after use so a retry succeeds.</summary>
    [Id(6)] public byte[]? CodeHash { get; set; }

    [Id(7)] public DateTimeOffset CodeExpires { get; set; }

    /// <summary>The user opted out of informational mails (R-S5); account mails are always sent.</summary>
    [Id(8)] public bool MailOptOut { get; set; }

    /// <summary>On the current address: the new address waiting for activation.</summary>
    [Id(9)] public string? PendingEmail { get; set; }

    /// <summary>On an unregistered address: the account that wants to move here.</summary>
    [Id(10)] public string? ReservedFor { get; set; }

    /// <summary>On the new address after activation: the old one, until its companies point here.</summary>
    [Id(11)] public string? MovedFrom { get; set; }

    /// <summary>Tokens issued under an older generation are refused (revocation).</summary>
    [Id(12)] public int TokenGeneration { get; set; }
}
