using System.Collections.Immutable;

namespace OrleansLicensing.Contracts;

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
