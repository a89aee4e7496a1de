using System.Collections.Immutable;

namespace OrleansLicensing.Contracts;

[GenerateSerializer, Immutable]
public sealed record AccountView(
    [property: Id(0)] string Email,
    [property: Id(1)] string DisplayName,
    [property: Id(2)] string Language,
    [property: Id(3)] ImmutableArray<string> CompanyIds);

[GenerateSerializer, Immutable]
public sealed record CompanyView(
    [property: Id(0)] string CompanyId,
    [property: Id(1)] string Name,
    [property: Id(2)] string DefaultProjectId);

/// <summary>A user's standing in one company (R-U1).</summary>
[GenerateSerializer, Immutable]
public sealed record Membership(
    [property: Id(0)] string Email,
    [property: Id(1)] bool Admin,
    [property: Id(2)] bool Locked,
    [property: Id(3)] ImmutableSortedSet<string> Rights);

/// <summary>Company rights of R-U1.</summary>
public static class CompanyRights
{
    public const string BuyOnCredit = nameof(BuyOnCredit);
    public const string MoveLicenses = nameof(MoveLicenses);
    public const string CheckDeviceStatus = nameof(CheckDeviceStatus);
    public const string RequestCertificate = nameof(RequestCertificate);

    public static readonly ImmutableSortedSet<string> All =
        ImmutableSortedSet.Create(StringComparer.Ordinal, BuyOnCredit, MoveLicenses, CheckDeviceStatus, RequestCertificate);
}

[GenerateSerializer, Immutable]
public sealed record ProjectView(
    [property: Id(0)] string ProjectId,
    [property: Id(1)] string CompanyId,
    [property: Id(2)] string Name,
    [property: Id(3)] string? Description,
    [property: Id(4)] DateOnly? SsaEndDate);

[GenerateSerializer, Immutable]
public sealed record ActivationKeyView(
    [property: Id(0)] string Key,
    [property: Id(1)] ImmutableSortedDictionary<string, int> Licenses,
    [property: Id(2)] string? OrderNumber,
    [property: Id(3)] string? AssignedProjectId,
    [property: Id(4)] string? AssignedCompanyId,
    [property: Id(5)] string? Comment,
    [property: Id(6)] DateTimeOffset? AssignedAt,
    [property: Id(7)] string? OwnerCompanyId = null,
    [property: Id(8)] string? OwnerProjectId = null,
    [property: Id(9)] string? OrderReference = null);

/// <summary>An own activation key to create from a project's balance (R-K3).</summary>
[GenerateSerializer, Immutable]
public sealed record OwnKeyDraft(
    [property: Id(0)] string CompanyId,
    [property: Id(1)] string ProjectId,
    [property: Id(2)] ImmutableSortedDictionary<string, int> Licenses,
    [property: Id(3)] string? Comment,
    [property: Id(4)] string? OrderNumber,
    [property: Id(5)] string? OrderReference);

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
public sealed record HolderRef(
    [property: Id(0)] string Kind,
    [property: Id(1)] string Id);

/// <summary>What the vendor registers for one shipped device (R-D1).</summary>
[GenerateSerializer, Immutable]
public sealed record HardwareRegistration(
    [property: Id(0)] string Mac,
    [property: Id(1)] string DeviceType,
    [property: Id(2)] string OrderNumber,
    [property: Id(3)] DateOnly ShipDate,
    [property: Id(4)] string? CertificatePublicKey);

/// <summary>The vendor's record of a shipped device, without its secret.</summary>
[GenerateSerializer, Immutable]
public sealed record HardwareView(
    [property: Id(0)] HardwareRegistration Registration,
    [property: Id(1)] byte[] SecretHash);

[GenerateSerializer, Immutable]
public sealed record DeviceView(
    [property: Id(0)] string Mac,
    [property: Id(1)] string? DeviceType,
    [property: Id(2)] string? CompanyId,
    [property: Id(3)] string? ProjectId,
    [property: Id(4)] string? Name,
    [property: Id(5)] string? Comment,
    [property: Id(6)] ImmutableArray<LicenseLot> Lots,
    [property: Id(7)] bool Rma = false);

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

[GenerateSerializer, Immutable]
public sealed record RedeemResult(
    [property: Id(0)] string Key,
    [property: Id(1)] ImmutableSortedDictionary<string, int> Licenses,
    [property: Id(2)] string ProjectId);

[GenerateSerializer, Immutable]
public sealed record AddLicensesCommand(
    [property: Id(0)] string CompanyId,
    [property: Id(1)] string Mac,
    [property: Id(2)] string Version,
    [property: Id(3)] ImmutableSortedDictionary<string, int> Licenses,
    [property: Id(4)] ImmutableArray<string> FromProjects,
    [property: Id(5)] bool DryRun);

[GenerateSerializer, Immutable]
public sealed record AddLicensesResult(
    [property: Id(0)] string Mac,
    [property: Id(1)] ImmutableArray<LicenseLot> Lots,
    [property: Id(2)] ImmutableArray<ProjectDebit> Debited);

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
