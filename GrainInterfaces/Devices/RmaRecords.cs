using System.Collections.Immutable;

namespace OrleansLicensing.Contracts;

/// <summary>Where a device's return to the vendor stands (R-D7).</summary>
public enum RmaStatus
{
    /// <summary>The company asked to return the device.</summary>
    Requested = 0,

    /// <summary>The vendor received it: its licenses move without the MoveLicenses right (R-L5).</summary>
    Arrived = 1,

    /// <summary>The vendor shipped it on; licenses still on it went to the company's <c>Freed_RMA_licenses</c> pool.</summary>
    Reshipped = 2,
}

/// <summary>One RMA of a device: who asked, from which project, and what happened since.</summary>
[GenerateSerializer, Immutable]
public sealed record RmaView(
    [property: Id(0)] string Mac,
    [property: Id(1)] string CompanyId,
    [property: Id(2)] string? ProjectId,
    [property: Id(3)] RmaStatus Status,
    [property: Id(4)] DateTimeOffset RequestedAt,
    [property: Id(5)] string? Reason,
    [property: Id(6)] DateTimeOffset? ArrivedAt,
    [property: Id(7)] DateTimeOffset? ReshippedAt,
    [property: Id(8)] string? FreedProjectId,
    [property: Id(9)] ImmutableArray<LicenseLot> FreedLots);

/// <summary>A device moved to another project of its company (R-D6): where it came from.</summary>
[GenerateSerializer, Immutable]
public sealed record MovedDevice(
    [property: Id(0)] string Mac,
    [property: Id(1)] string? FromProjectId,
    [property: Id(2)] bool Moved);

/// <summary>
/// Moves devices into a project of their company (R-D6). <see cref="TargetSsaEndDate"/> is filled
/// by the ledger from the target project. When it is set (the target is under SSA), the moved lots under SSA are quoted up to it and, unless a dry
/// run, extended and paid (R-S1..R-S4), in the same transaction as the moves.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record MoveDevicesCommand(
    [property: Id(0)] string CompanyId,
    [property: Id(1)] string TargetProjectId,
    [property: Id(2)] ImmutableArray<string> Macs,
    [property: Id(3)] DateOnly? TargetSsaEndDate,
    [property: Id(4)] DateOnly? CalculationDate,
    [property: Id(5)] bool DryRun,
    [property: Id(6)] ImmutableArray<string> ExcludedLots,
    [property: Id(7)] bool BuyOnCredit,
    [property: Id(8)] string? OrderNumber,
    [property: Id(9)] string UserEmail);

/// <summary>The devices a move took (or would take) and, for a target under SSA, the SSA quote.</summary>
[GenerateSerializer, Immutable]
public sealed record MoveDevicesResult(
    [property: Id(0)] string TargetProjectId,
    [property: Id(1)] ImmutableArray<MovedDevice> Devices,
    [property: Id(2)] SsaQuote? Ssa,
    [property: Id(3)] bool Confirmed);
