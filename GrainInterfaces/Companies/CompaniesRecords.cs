using System.Collections.Immutable;

namespace OrleansLicensing.Contracts;

[GenerateSerializer, Immutable]
public sealed record CompanyView(
    [property: Id(0)] string CompanyId,
    [property: Id(1)] string Name,
    [property: Id(2)] string DefaultProjectId,
    [property: Id(3)] CompanyDetails? Details = null);

/// <summary>A company's postal and contact data (seed: "change your company data"); every field optional.</summary>
[GenerateSerializer, Immutable]
public sealed record CompanyDetails(
    [property: Id(0)] string? Street = null,
    [property: Id(1)] string? PostalCode = null,
    [property: Id(2)] string? City = null,
    [property: Id(3)] string? Country = null,
    [property: Id(4)] string? Phone = null)
{
    public static readonly CompanyDetails Empty = new();
}

/// <summary>
/// An edit of company data (R-U2: admins only). <c>null</c> leaves a field as it is; an empty
/// string clears an optional one. Values are already validated.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record CompanyChanges(
    [property: Id(0)] string? Name = null,
    [property: Id(1)] string? Street = null,
    [property: Id(2)] string? PostalCode = null,
    [property: Id(3)] string? City = null,
    [property: Id(4)] string? Country = null,
    [property: Id(5)] string? Phone = null);

/// <summary>A change of a member's flags or rights (R-U1, R-U2); <c>null</c> leaves it as it is.</summary>
[GenerateSerializer, Immutable]
public sealed record MemberChanges(
    [property: Id(0)] bool? Admin = null,
    [property: Id(1)] bool? Locked = null,
    [property: Id(2)] ImmutableSortedSet<string>? Rights = null);

/// <summary>A user's standing in one company (R-U1).</summary>
[GenerateSerializer, Immutable]
public sealed record Membership(
    [property: Id(0)] string Email,
    [property: Id(1)] bool Admin,
    [property: Id(2)] bool Locked,
    [property: Id(3)] ImmutableSortedSet<string> Rights)
{
    /// <summary>What the member may do: admins hold every right (R-U2).</summary>
    public ImmutableSortedSet<string> EffectiveRights => Admin ? CompanyRights.All : Rights;
}

/// <summary>Company rights of R-U1.</summary>
public static class CompanyRights
{
    /// <summary>
    /// Not a grantable right: a route that declares it is for admins only (R-U2). No member holds
    /// it in <see cref="Membership.Rights"/>, and admins hold every right.
    /// </summary>
    public const string AdminOnly = "Admin";

    public const string BuyOnCredit = nameof(BuyOnCredit);
    public const string MoveLicenses = nameof(MoveLicenses);
    public const string CheckDeviceStatus = nameof(CheckDeviceStatus);
    public const string RequestCertificate = nameof(RequestCertificate);

    public static readonly ImmutableSortedSet<string> All =
        ImmutableSortedSet.Create(StringComparer.Ordinal, BuyOnCredit, MoveLicenses, CheckDeviceStatus, RequestCertificate);
}

/// <summary>A membership that was removed (R-U4): as it was, and when and by whom it ended.</summary>
[GenerateSerializer, Immutable]
public sealed record FormerMember(
    [property: Id(0)] Membership Membership,
    [property: Id(1)] DateTimeOffset RemovedAt,
    [property: Id(2)] string RemovedBy);
