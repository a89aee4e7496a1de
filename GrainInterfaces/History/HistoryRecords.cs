using System.Collections.Immutable;

namespace OrleansLicensing.Contracts;

/// <summary>
/// One state change (R-Q2). <see cref="Id"/> identifies the change itself (derived from the
/// transaction or the caller's idempotency key where there is one), so recording it twice keeps
/// one event; <see cref="Seq"/> is its position in its company's log, assigned on append.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record HistoryEvent(
    [property: Id(0)] string Id,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] string CompanyId,
    [property: Id(3)] string? ProjectId,
    [property: Id(4)] string? User,
    [property: Id(5)] string? Mac,
    [property: Id(6)] string Action,
    [property: Id(7)] ImmutableSortedDictionary<string, string> Details)
{
    [Id(8)] public long Seq { get; init; }
}

/// <summary>How the acting user reaches the grains that record history.</summary>
public static class HistoryContext
{
    /// <summary>
    /// The Orleans <c>RequestContext</c> key under which the gateway passes the signed-in user's
    /// e-mail with every call of a request; it flows on to every grain those calls reach.
    /// </summary>
    public const string ActorKey = "licensing.actor";
}

/// <summary>The ids of history logs that are not a company's.</summary>
public static class HistoryLogIds
{
    /// <summary>The log of an account's own events (registered, activated, changed).</summary>
    public static string Account(string email) => "account:" + email;
}

/// <summary>The stable action names of history events (R-Q2); clients may select on them.</summary>
public static class HistoryActions
{
    public const string AccountRegistered = nameof(AccountRegistered);
    public const string AccountActivated = nameof(AccountActivated);
    public const string AccountChanged = nameof(AccountChanged);
    public const string CompanyCreated = nameof(CompanyCreated);
    public const string CompanyUpdated = nameof(CompanyUpdated);
    public const string MemberAdded = nameof(MemberAdded);
    public const string MemberUpdated = nameof(MemberUpdated);
    public const string MemberRemoved = nameof(MemberRemoved);
    public const string ProjectCreated = nameof(ProjectCreated);
    public const string ProjectUpdated = nameof(ProjectUpdated);
    public const string ProjectDeleted = nameof(ProjectDeleted);
    public const string RightGranted = nameof(RightGranted);
    public const string RightRevoked = nameof(RightRevoked);
    public const string KeyRedeemed = nameof(KeyRedeemed);
    public const string OwnKeyCreated = nameof(OwnKeyCreated);
    public const string OwnKeyUpdated = nameof(OwnKeyUpdated);
    public const string OwnKeyDeleted = nameof(OwnKeyDeleted);
    public const string DeviceAdded = nameof(DeviceAdded);
    public const string DeviceMoved = nameof(DeviceMoved);

    /// <summary>In the history of the company a device left because another proved possession (R-D2); the new owner is not named.</summary>
    public const string DeviceTakenOver = nameof(DeviceTakenOver);
    public const string LicensesAdded = nameof(LicensesAdded);
    public const string LicensesMovedOut = nameof(LicensesMovedOut);
    public const string LicensesMovedIn = nameof(LicensesMovedIn);
    public const string LicensesReturnedToFreePool = nameof(LicensesReturnedToFreePool);
    public const string LicensesTakenFromFreePool = nameof(LicensesTakenFromFreePool);
    public const string FreeLicensesConverted = nameof(FreeLicensesConverted);
    public const string BalanceTransferred = nameof(BalanceTransferred);

    /// <summary>A device's test mode was switched on, or on again (R-L9); details: <c>until</c>.</summary>
    public const string TestModeOn = nameof(TestModeOn);

    /// <summary>A device's test mode ended: by hand, or by its reminder after eight hours (details: <c>by</c> = <c>reminder</c>).</summary>
    public const string TestModeOff = nameof(TestModeOff);
    public const string HistoryAbsorbed = nameof(HistoryAbsorbed);

    /// <summary>A device's test license was issued at its first download (R-L8); details: <c>version</c>, <c>slave</c>, <c>pbxUnits</c>, <c>until</c>.</summary>
    public const string TestLicenseIssued = nameof(TestLicenseIssued);

    /// <summary>A device's test license reached the end of its three months (R-L8), recorded by its reminder.</summary>
    public const string TestLicenseExpired = nameof(TestLicenseExpired);

    /// <summary>A company admin claimed an old license manager account (R-I2); details: <c>login</c>, <c>group</c>.</summary>
    public const string LegacyAccountClaimed = nameof(LegacyAccountClaimed);

    /// <summary>Legacy balance and/or devices were imported into a project, minted with source Import (R-I2).</summary>
    public const string LegacyImported = nameof(LegacyImported);

    /// <summary>A project's SSA end was set or extended and paid (R-S1..R-S4).</summary>
    public const string SsaSet = nameof(SsaSet);

    /// <summary>Another company was joined into this one (R-U3); its history is read with this one's from then on.</summary>
    public const string CompanyJoined = nameof(CompanyJoined);

    /// <summary>A project was joined into another of the company (R-P4) and deleted.</summary>
    public const string ProjectJoined = nameof(ProjectJoined);

    // Devices in projects and RMA (issue 11 part A).

    /// <summary>A device's name and/or comment changed (R-D4).</summary>
    public const string DeviceUpdated = nameof(DeviceUpdated);

    /// <summary>A device was removed from its project and company; its licenses stayed on it (R-D5).</summary>
    public const string DeviceRemoved = nameof(DeviceRemoved);

    /// <summary>The company requested RMA for a device (R-D7).</summary>
    public const string RmaRequested = nameof(RmaRequested);

    /// <summary>The vendor received a device under RMA (R-D7): its licenses move without the MoveLicenses right.</summary>
    public const string RmaArrived = nameof(RmaArrived);

    /// <summary>The vendor reshipped a device under RMA (R-D7): it left the company, licenses still on it went to <c>Freed_RMA_licenses</c>.</summary>
    public const string RmaReshipped = nameof(RmaReshipped);

    // License files, invalidation and device certificates (issue 12 part A).

    /// <summary>A user downloaded a license file (R-V2); details: <c>version</c>, <c>encrypted</c>, <c>notReturnable</c> (the lots an unencrypted download marked, R-V4).</summary>
    public const string LicenseFileDownloaded = nameof(LicenseFileDownloaded);

    /// <summary>An invalidation document was accepted (R-V5): PBX licenses went to the project's free pool; details: <c>licenses</c>, <c>sequence</c>, <c>noDowngrade</c>.</summary>
    public const string LicensesInvalidated = nameof(LicensesInvalidated);

    /// <summary>A new device certificate key was registered (right RequestCertificate); the earlier ones are kept.</summary>
    public const string DeviceCertificateRequested = nameof(DeviceCertificateRequested);
}

/// <summary>
/// Which events a history read returns: within a project or all, of one user or one device or
/// the whole company, not older than <see cref="From"/> (null: always).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record HistoryFilter(
    [property: Id(0)] string? ProjectId,
    [property: Id(1)] string? User,
    [property: Id(2)] string? Mac,
    [property: Id(3)] DateTimeOffset? From)
{
    public static readonly HistoryFilter All = new(null, null, null, null);

    public bool Matches(HistoryEvent e) =>
        (ProjectId is null || e.ProjectId == ProjectId)
        && (User is null || string.Equals(e.User, User, StringComparison.OrdinalIgnoreCase))
        && (Mac is null || e.Mac == Mac)
        && (From is null || e.At >= From);
}

/// <summary>One page of history, newest first; <see cref="NextCursor"/> is null on the last page.</summary>
[GenerateSerializer, Immutable]
public sealed record HistoryPage(
    [property: Id(0)] ImmutableArray<HistoryEvent> Events,
    [property: Id(1)] string? NextCursor);

/// <summary>
/// What one log found below a position: the matching events newest first (at most the limit
/// asked), the lowest sequence number it examined (<see cref="Floor"/>, with its time), and
/// whether nothing below it can match (<see cref="Exhausted"/>). Events below the floor are not
/// newer than <see cref="FloorAt"/>, which lets a reader merge several logs newest first.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record HistorySlice(
    [property: Id(0)] ImmutableArray<HistoryEvent> Events,
    [property: Id(1)] long Floor,
    [property: Id(2)] DateTimeOffset FloorAt,
    [property: Id(3)] bool Exhausted);

/// <summary>What one chunk holds below a position: the matches newest first, and its oldest event examined.</summary>
[GenerateSerializer, Immutable]
public sealed record HistoryChunkSlice(
    [property: Id(0)] ImmutableArray<HistoryEvent> Events,
    [property: Id(1)] long OldestSeq,
    [property: Id(2)] DateTimeOffset OldestAt,
    [property: Id(3)] bool Empty);
