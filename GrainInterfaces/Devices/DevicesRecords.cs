using System.Collections.Immutable;

namespace OrleansLicensing.Contracts;

/// <summary>Which lots leave a device.</summary>
public enum LotSelection
{
    /// <summary>PBX lots: the ones an invalidation returns to the free pool (R-V5).</summary>
    Pbx = 0,

    /// <summary>Everything but warranty extensions: what a move to another device takes (R-L5).</summary>
    AllButWarranty = 1,

    /// <summary>Exactly the lots named by id.</summary>
    ByIds = 2,
}

[GenerateSerializer, Immutable]
public sealed record DeviceView(
    [property: Id(0)] string Mac,
    [property: Id(1)] string? DeviceType,
    [property: Id(2)] string? CompanyId,
    [property: Id(3)] string? ProjectId,
    [property: Id(4)] string? Name,
    [property: Id(5)] string? Comment,
    [property: Id(6)] ImmutableArray<LicenseLot> Lots,
    [property: Id(7)] bool Rma = false)
{
    /// <summary>R-V3: no file below V8 (set when V5–V7 licenses were returned with consent).</summary>
    [Id(8)] public bool NoDowngrade { get; init; }

    /// <summary>R-V4: the lots downloaded unencrypted, with the highest version number downloaded so.</summary>
    [Id(9)] public ImmutableSortedDictionary<string, int> NotReturnable { get; init; } = ImmutableSortedDictionary<string, int>.Empty;
}

/// <summary>
/// The outcome of a change to a device's lots inside a transaction: the lots (after an add, or
/// the ones taken) and the project the device is in, read under the same lock.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record DeviceLotChange(
    [property: Id(0)] string? ProjectId,
    [property: Id(1)] ImmutableArray<LicenseLot> Lots);

public static class DeviceAddStatus
{
    public const string Added = "added";
    public const string Warning = "warning";
    public const string Error = "error";
}

/// <summary>Per-device outcome of a batch add (R-D3).</summary>
[GenerateSerializer, Immutable]
public sealed record DeviceAddResult(
    [property: Id(0)] string Mac,
    [property: Id(1)] string Status,
    [property: Id(2)] string? Code);

/// <summary>One device of a batch add, with optional proof of possession (R-D2).</summary>
[GenerateSerializer, Immutable]
public sealed record DeviceAddRequest(
    [property: Id(0)] string Mac,
    [property: Id(1)] string? DeviceSecret);

public enum DevicePollStatus
{
    Ok = 0,
    NotModified = 1,
    Unauthorized = 2,
}

/// <summary>
/// The device poll answer, pre-serialised by the device grain so the hot path copies bytes
/// and nothing else (R-C3).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record DevicePollResponse(
    [property: Id(0)] DevicePollStatus Status,
    [property: Id(1)] string? ETag,
    [property: Id(2)] byte[]? Body);
