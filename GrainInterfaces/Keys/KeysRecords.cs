using System.Collections.Immutable;

namespace OrleansLicensing.Contracts;

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
    [property: Id(9)] string? OrderReference = null)
{
    /// <summary>The own key's comment (R-K3), set by the company that created it; <see cref="Comment"/> is the redeemer's.</summary>
    [Id(10)] public string? OwnComment { get; init; }

    /// <summary>When the key was minted or, for an own key, created.</summary>
    [Id(11)] public DateTimeOffset? CreatedAt { get; init; }
}

/// <summary>A key as redeemed into a project (R-K2): recorded by the project in the redeem's transaction.</summary>
[GenerateSerializer, Immutable]
public sealed record RedeemedKey(
    [property: Id(0)] string Key,
    [property: Id(1)] ImmutableSortedDictionary<string, int> Licenses,
    [property: Id(2)] string ProjectId,
    [property: Id(3)] string? Comment,
    [property: Id(4)] DateTimeOffset RedeemedAt,
    [property: Id(5)] string? RedeemedBy = null);

/// <summary>
/// A license certificate (R-K4): what it states, and the signed XML <see cref="Document"/> stating
/// the same, signed with the cluster's license signing key.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record LicenseCertificate(
    [property: Id(0)] string Key,
    [property: Id(1)] ImmutableSortedDictionary<string, int> Licenses,
    [property: Id(2)] string? OrderNumber,
    [property: Id(3)] string? OrderReference,
    [property: Id(4)] string? RedeemingCompanyId,
    [property: Id(5)] string? RedeemingProjectId,
    [property: Id(6)] string? RedeemingProjectName,
    [property: Id(7)] DateTimeOffset? RedeemedAt,
    [property: Id(8)] DateTimeOffset IssuedAt,
    [property: Id(9)] string Document);

/// <summary>An own activation key to create from a project's balance (R-K3).</summary>
[GenerateSerializer, Immutable]
public sealed record OwnKeyDraft(
    [property: Id(0)] string CompanyId,
    [property: Id(1)] string ProjectId,
    [property: Id(2)] ImmutableSortedDictionary<string, int> Licenses,
    [property: Id(3)] string? Comment,
    [property: Id(4)] string? OrderNumber,
    [property: Id(5)] string? OrderReference);

[GenerateSerializer, Immutable]
public sealed record RedeemResult(
    [property: Id(0)] string Key,
    [property: Id(1)] ImmutableSortedDictionary<string, int> Licenses,
    [property: Id(2)] string ProjectId);
