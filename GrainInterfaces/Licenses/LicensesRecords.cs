using System.Collections.Immutable;

namespace OrleansLicensing.Contracts;

[GenerateSerializer, Immutable]
public sealed record AddLicensesCommand(
    [property: Id(0)] string CompanyId,
    [property: Id(1)] string Mac,
    [property: Id(2)] string Version,
    [property: Id(3)] ImmutableSortedDictionary<string, int> Licenses,
    [property: Id(4)] ImmutableArray<string> FromProjects,
    [property: Id(5)] bool DryRun)
{
    /// <summary>R-L2: the device's lots of older versions count toward the configuration of <see cref="Version"/> in the PBX rules.</summary>
    [Id(6)] public bool CountCurrent { get; init; }

    /// <summary>R-S4: the licenses (and the SSC of <see cref="SsaEndDate"/>) are bought on credit, minted with source Credit, instead of drawn from balances.</summary>
    [Id(7)] public bool BuyOnCredit { get; init; }

    /// <summary>The order number of a purchase on credit (required with <see cref="BuyOnCredit"/>).</summary>
    [Id(8)] public string? OrderNumber { get; init; }

    /// <summary>The user buying on credit, whose right BuyOnCredit is checked.</summary>
    [Id(9)] public string? UserEmail { get; init; }

    /// <summary>R-L2 SSA option: the new lots that carry SSC get this SSA end, paid in SSC in the same transaction.</summary>
    [Id(10)] public DateOnly? SsaEndDate { get; init; }

    /// <summary>License types of the request that opt out of the SSA option.</summary>
    [Id(11)] public ImmutableArray<string> SsaExcludedTypes { get; init; } = [];
}

[GenerateSerializer, Immutable]
public sealed record AddLicensesResult(
    [property: Id(0)] string Mac,
    [property: Id(1)] ImmutableArray<LicenseLot> Lots,
    [property: Id(2)] ImmutableArray<ProjectDebit> Debited)
{
    /// <summary>The SSC quote of the SSA option (paid unless a dry run); null without it.</summary>
    [Id(3)] public AddedSsa? Ssa { get; init; }

    /// <summary>The licenses were bought on credit (minted, recorded as the company's debt) rather than debited.</summary>
    [Id(4)] public bool OnCredit { get; init; }
}

/// <summary>The SSA of lots added to a device (R-L2 SSA option, R-S1..R-S4): their SSC quote, dated today.</summary>
[GenerateSerializer, Immutable]
public sealed record AddedSsa(
    [property: Id(0)] DateOnly EndDate,
    [property: Id(1)] ImmutableArray<SscLotQuote> Lots,
    [property: Id(2)] long TotalSsc,
    [property: Id(3)] bool OnCredit);

/// <summary>Which lots the PBX rules of R-L2 look at: the configuration of one version, with or without the older lots (countCurrent).</summary>
[GenerateSerializer, Immutable]
public sealed record ConsistencyScope(
    [property: Id(0)] string Version,
    [property: Id(1)] bool CountCurrent);

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

    /// <summary>R-V6: the types a free-pool lot under SSA becomes when converted to a later version (the lot's own units are recorded consumed).</summary>
    public const string Conversion = "Conversion";
}
