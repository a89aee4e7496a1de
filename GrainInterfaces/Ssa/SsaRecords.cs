using System.Collections.Immutable;

namespace OrleansLicensing.Contracts;

/// <summary>A lot to be put under SSA (R-S1).</summary>
[GenerateSerializer, Immutable]
public sealed record SscLot(
    [property: Id(0)] string Type,
    [property: Id(1)] int Units,
    [property: Id(2)] string Version,
    [property: Id(3)] DateOnly BindDate,
    [property: Id(4)] DateOnly? SsaEndDate);

/// <summary>The price of bringing one lot to the new SSA end date (R-S1..R-S3).</summary>
[GenerateSerializer, Immutable]
public sealed record SscLotQuote(
    [property: Id(0)] string Type,
    [property: Id(1)] int Units,
    [property: Id(2)] DateOnly CoverageStart,
    [property: Id(3)] int DaysTwice,
    [property: Id(4)] int DaysOnce,
    [property: Id(5)] decimal Multiplier,
    [property: Id(6)] long Ssc);

[GenerateSerializer, Immutable]
public sealed record SscQuote(
    [property: Id(0)] ImmutableArray<SscLotQuote> Lots,
    [property: Id(1)] long TotalSsc);

/// <summary>
/// Setting or extending a project's SSA (R-S1..R-S4). Values are validated by the gateway;
/// <see cref="CalculationDate"/> is the day the quote is computed for, today unless previewing.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record SsaCommand(
    [property: Id(0)] string CompanyId,
    [property: Id(1)] string ProjectId,
    [property: Id(2)] DateOnly EndDate,
    [property: Id(3)] DateOnly? CalculationDate,
    [property: Id(4)] bool DryRun,
    [property: Id(5)] ImmutableArray<string> ExcludedLots,
    [property: Id(6)] bool BuyOnCredit,
    [property: Id(7)] string? OrderNumber,
    [property: Id(8)] string UserEmail);

/// <summary>One lot of a project's device in an SSA quote (R-S1): where it is, its dates, its price and whether it was left out.</summary>
[GenerateSerializer, Immutable]
public sealed record SsaLotQuote(
    [property: Id(0)] string LotId,
    [property: Id(1)] string Mac,
    [property: Id(2)] string Version,
    [property: Id(3)] DateOnly BindDate,
    [property: Id(4)] DateOnly? SsaEndDate,
    [property: Id(5)] SscLotQuote Price,
    [property: Id(6)] bool Excluded);

/// <summary>The answer of an SSA request: the quote, and whether it was confirmed (paid and applied).</summary>
[GenerateSerializer, Immutable]
public sealed record SsaQuote(
    [property: Id(0)] string ProjectId,
    [property: Id(1)] DateOnly CalculationDate,
    [property: Id(2)] DateOnly EndDate,
    [property: Id(3)] ImmutableArray<SsaLotQuote> Lots,
    [property: Id(4)] long TotalSsc,
    [property: Id(5)] bool Confirmable,
    [property: Id(6)] bool Confirmed,
    [property: Id(7)] bool OnCredit);

/// <summary>A purchase on credit (R-S4, R-C2): units minted with source <c>Credit</c>, owed by the company.</summary>
[GenerateSerializer, Immutable]
public sealed record CreditDebt(
    [property: Id(0)] string OrderNumber,
    [property: Id(1)] ImmutableSortedDictionary<string, int> Licenses,
    [property: Id(2)] DateOnly Date,
    [property: Id(3)] string ProjectId,
    [property: Id(4)] string UserEmail,
    [property: Id(5)] string Purpose);

/// <summary>What a credit purchase was for.</summary>
public static class CreditPurposes
{
    public const string Ssa = "SSA";

    /// <summary>Licenses bound to a device and bought on credit (R-S4, R-L2).</summary>
    public const string Licenses = "Licenses";
}
