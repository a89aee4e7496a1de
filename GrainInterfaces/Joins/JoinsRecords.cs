using System.Collections.Immutable;

namespace OrleansLicensing.Contracts;

/// <summary>Join company <paramref name="SourceCompanyId"/> (B) into <paramref name="TargetCompanyId"/> (A), asked by an admin of A (R-U3).</summary>
[GenerateSerializer, Immutable]
public sealed record CompanyJoinPlan(
    [property: Id(0)] string TargetCompanyId,
    [property: Id(1)] string SourceCompanyId,
    [property: Id(2)] string RequestedBy);

/// <summary>
/// Join project <paramref name="SourceProjectId"/> (A) into <paramref name="TargetProjectId"/> (B) of the same company
/// (R-P4); SSA is quoted and paid as of <paramref name="CalculationDate"/> (the day the join was confirmed).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ProjectJoinPlan(
    [property: Id(0)] string CompanyId,
    [property: Id(1)] string SourceProjectId,
    [property: Id(2)] string TargetProjectId,
    [property: Id(3)] string RequestedBy,
    [property: Id(4)] DateOnly CalculationDate);

/// <summary>What company B holds when it is locked for a join (R-U3): the join moves all of it.</summary>
[GenerateSerializer, Immutable]
public sealed record CompanyJoinSnapshot(
    [property: Id(0)] ImmutableSortedDictionary<string, string> Projects,
    [property: Id(1)] ImmutableSortedSet<string> ExternalProjects,
    [property: Id(2)] ImmutableArray<Membership> Members,
    [property: Id(3)] ImmutableArray<FormerMember> FormerMembers);

/// <summary>
/// A change of the company and/or project an item refers to, applied by a join to devices
/// (membership) and activation keys (redeeming and owning company/project). Only references
/// equal to the <c>From</c> values change; a <c>null</c> project pair leaves projects as they are.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record Repoint(
    [property: Id(0)] string FromCompanyId,
    [property: Id(1)] string ToCompanyId,
    [property: Id(2)] string? FromProjectId = null,
    [property: Id(3)] string? ToProjectId = null,
    [property: Id(4)] DateOnly? SsaEndDate = null);

/// <summary>A device a join moves, and the lots whose SSA end it brings to <see cref="Repoint.SsaEndDate"/> (R-P4).</summary>
[GenerateSerializer, Immutable]
public sealed record DeviceRepoint(
    [property: Id(0)] string Mac,
    [property: Id(1)] ImmutableArray<string> ExtendLotIds);

/// <summary>What a project hands over to the project it is joined into (R-P4), taken in one transaction.</summary>
[GenerateSerializer, Immutable]
public sealed record ProjectHandOver(
    [property: Id(0)] ImmutableSortedDictionary<string, int> Balance,
    [property: Id(1)] ImmutableArray<LicenseLot> FreeLicenses,
    [property: Id(2)] ImmutableArray<RedeemedKey> RedeemedKeys,
    [property: Id(3)] ImmutableSortedSet<string> OwnKeys);

/// <summary>One lot on a device of the joined project, brought to the target's SSA end (R-P4, R-S1..R-S3).</summary>
[GenerateSerializer, Immutable]
public sealed record ProjectJoinSscLot(
    [property: Id(0)] string Mac,
    [property: Id(1)] string LotId,
    [property: Id(2)] SscLotQuote Quote);

/// <summary>
/// What joining project A into B moves (R-P4): A's devices, balance, free pool and keys, and —
/// when B is under SSA — the quote for bringing A's device lots to B's SSA end.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ProjectJoinPreview(
    [property: Id(0)] string SourceProjectId,
    [property: Id(1)] string TargetProjectId,
    [property: Id(2)] ImmutableArray<string> Devices,
    [property: Id(3)] ImmutableSortedDictionary<string, int> Balance,
    [property: Id(4)] ImmutableArray<LicenseLot> FreeLicenses,
    [property: Id(5)] ImmutableArray<string> RedeemedKeys,
    [property: Id(6)] ImmutableArray<string> OwnKeys,
    [property: Id(7)] DateOnly? SsaEndDate,
    [property: Id(8)] DateOnly CalculationDate,
    [property: Id(9)] ImmutableArray<ProjectJoinSscLot> Ssa,
    [property: Id(10)] long TotalSsc);
