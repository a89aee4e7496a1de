using System.Collections.Immutable;

namespace OrleansLicensing.Contracts;

/// <summary>
/// An account as its owner sees it. <see cref="Activated"/> is false until the code from the
/// activation mail was presented (R-U5); <see cref="PendingEmail"/> is a new address that waits
/// for its own activation before it replaces <see cref="Email"/>.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record AccountView(
    [property: Id(0)] string Email,
    [property: Id(1)] string DisplayName,
    [property: Id(2)] string Language,
    [property: Id(3)] ImmutableArray<string> CompanyIds,
    [property: Id(4)] bool Activated,
    [property: Id(5)] bool MailOptOut,
    [property: Id(6)] string? PendingEmail);

/// <summary>Changes to an account (R-U5); <c>null</c> leaves a field as it is. Values are already validated.</summary>
[GenerateSerializer, Immutable]
public sealed record AccountChanges(
    [property: Id(0)] string? DisplayName = null,
    [property: Id(1)] string? Language = null,
    [property: Id(2)] bool? MailOptOut = null,
    [property: Id(3)] string? NewPassword = null,
    [property: Id(4)] string? NewEmail = null);

/// <summary>What moves from the old address to the new one when an e-mail change is activated.</summary>
[GenerateSerializer, Immutable]
public sealed record AccountTransfer(
    [property: Id(0)] string PasswordHash,
    [property: Id(1)] string DisplayName,
    [property: Id(2)] string Language,
    [property: Id(3)] bool MailOptOut,
    [property: Id(4)] ImmutableArray<string> CompanyIds);

/// <summary>The languages of the portal and its mails (seed: English, German, French, Italian, Dutch).</summary>
public static class Languages
{
    public const string Default = "en";

    public static readonly ImmutableArray<string> All = ["en", "de", "fr", "it", "nl"];

    /// <summary>The canonical (lower-case) language, or <c>null</c> when it is not one of <see cref="All"/>.</summary>
    public static string? Normalize(string? language)
    {
        var lower = language?.Trim().ToLowerInvariant();
        return lower is not null && All.Contains(lower) ? lower : null;
    }
}
