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

[GenerateSerializer, Immutable]
public sealed record RedeemResult(
    [property: Id(0)] string Key,
    [property: Id(1)] ImmutableSortedDictionary<string, int> Licenses,
    [property: Id(2)] string ProjectId);
