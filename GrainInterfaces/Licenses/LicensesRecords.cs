using System.Collections.Immutable;

namespace OrleansLicensing.Contracts;

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
