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
