using System.Collections.Immutable;

namespace OrleansLicensing.Contracts;

/// <summary>
/// One lot of licenses on a device (R-L1). Lots keep these attributes when they travel.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record LicenseLot(
    [property: Id(0)] string Type,
    [property: Id(1)] int Units,
    [property: Id(2)] string Version,
    [property: Id(3)] DateOnly BindDate,
    [property: Id(4)] DateOnly? SsaEndDate,
    [property: Id(5)] string? ExternalKey,
    [property: Id(6)] string Source)
{
    /// <summary>Identifies the lot while it travels (free pool, moves), so callers can pick lots.</summary>
    [Id(7)]
    public string LotId { get; init; } = string.Empty;
}

/// <summary>Units taken from one project while adding licenses to a device.</summary>
[GenerateSerializer, Immutable]
public sealed record ProjectDebit(
    [property: Id(0)] string ProjectId,
    [property: Id(1)] ImmutableSortedDictionary<string, int> Licenses);

/// <summary>Where units come from when minted (R-C2).</summary>
public static class LotSources
{
    public const string ActivationKey = "ActivationKey";
    public const string Import = "Import";
    public const string Credit = "Credit";
    public const string Balance = "Balance";
}

/// <summary>Kinds of unit holders the conservation audit sums over (R-C2).</summary>
public static class HolderKinds
{
    public const string Project = "project";
    public const string Key = "key";
    public const string Device = "device";
}

/// <summary>One license type's line of the conservation audit (R-C2).</summary>
[GenerateSerializer, Immutable]
public sealed record AuditLine(
    [property: Id(0)] string Type,
    [property: Id(1)] long Minted,
    [property: Id(2)] long Held,
    [property: Id(3)] long Consumed,
    [property: Id(4)] long Difference,
    [property: Id(5)] ImmutableSortedDictionary<string, long> HeldBy);

[GenerateSerializer, Immutable]
public sealed record AuditReport(
    [property: Id(0)] bool Balanced,
    [property: Id(1)] ImmutableArray<AuditLine> LicenseTypes,
    [property: Id(2)] int Holders,
    [property: Id(3)] DateTimeOffset At);

/// <summary>What the minting side of the audit knows: units minted and consumed, per type.</summary>
[GenerateSerializer, Immutable]
public sealed record MintTotals(
    [property: Id(0)] ImmutableSortedDictionary<string, long> Minted,
    [property: Id(1)] ImmutableSortedDictionary<string, long> Consumed);

/// <summary>The units one holder holds right now, for the audit.</summary>
[GenerateSerializer, Immutable]
public sealed record Holding(
    [property: Id(0)] string Kind,
    [property: Id(1)] ImmutableSortedDictionary<string, int> Units);

/// <summary>
/// A caller-supplied idempotency key, scoped to the caller, and a fingerprint of the request
/// it was first used with.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record IdempotencyToken(
    [property: Id(0)] string Scope,
    [property: Id(1)] string Fingerprint);
