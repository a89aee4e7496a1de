using System.Collections.Immutable;

namespace OrleansLicensing.Contracts;

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
    [property: Id(6)] string Source);

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
}
