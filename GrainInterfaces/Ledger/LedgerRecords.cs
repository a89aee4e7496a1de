using System.Collections.Immutable;

namespace OrleansLicensing.Contracts;

[GenerateSerializer, Immutable]
public sealed record HolderRef(
    [property: Id(0)] string Kind,
    [property: Id(1)] string Id);

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
    [property: Id(3)] DateTimeOffset At)
{
    /// <summary>
    /// License types whose difference unit moves in flight during the audit's reads could explain
    /// (they were counted on neither or both sides): not a finding; the next audit tells. Every
    /// other non-zero difference is real: it persisted once the moves that touched it settled.
    /// </summary>
    [Id(4)] public ImmutableArray<string> Unsettled { get; init; } = [];

    /// <summary>The license types with a difference that no move in flight explains.</summary>
    public IEnumerable<AuditLine> Differences => LicenseTypes.Where(l => l.Difference != 0 && !Unsettled.Contains(l.Type));
}

/// <summary>
/// How far the running conservation audit got: its pass (a pass is repeated while moves in flight
/// could explain a difference), the holders read in this pass, and the holders the registry knows
/// (an upper bound: an entry of the first registry layout may be counted twice).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record AuditProgress(
    [property: Id(0)] DateTimeOffset StartedAt,
    [property: Id(1)] int Pass,
    [property: Id(2)] int HoldersRead,
    [property: Id(3)] int HoldersKnown);

/// <summary>The cluster's audit job: the run in progress (null when none) and the last complete report (null before the first).</summary>
[GenerateSerializer, Immutable]
public sealed record AuditStatus(
    [property: Id(0)] AuditProgress? Running,
    [property: Id(1)] AuditReport? Last);

/// <summary>What the minting side of the audit knows: units minted and consumed, per type.</summary>
[GenerateSerializer, Immutable]
public sealed record MintTotals(
    [property: Id(0)] ImmutableSortedDictionary<string, long> Minted,
    [property: Id(1)] ImmutableSortedDictionary<string, long> Consumed)
{
    /// <summary>The minted units per source (<see cref="LotSources"/>), then per type.</summary>
    [Id(2)]
    public ImmutableSortedDictionary<string, ImmutableSortedDictionary<string, long>> MintedBySource { get; init; } =
        ImmutableSortedDictionary.Create<string, ImmutableSortedDictionary<string, long>>(StringComparer.Ordinal);
}

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
