using System.Collections.Immutable;

namespace OrleansLicensing.Contracts;

/// <summary>
/// The anonymous SSC calculator (R-S1..R-S3): prices come from the catalog, so the rule runs in
/// the silo. Stateless: any silo answers, next to the caller.
/// </summary>
public interface ISscQuoteGrain : IGrainWithIntegerKey
{
    /// <summary>A quote per lot for SSA from <paramref name="calculationDate"/> to <paramref name="endDate"/>.</summary>
    Task<SscQuote> QuoteAsync(ImmutableArray<SscLot> lots, DateOnly calculationDate, DateOnly endDate);
}
