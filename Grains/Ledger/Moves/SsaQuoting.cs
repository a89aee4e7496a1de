using System.Collections.Immutable;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Domain;

namespace OrleansLicensing.Grains.Ledger;

/// <summary>
/// Quotes lots of devices for an SSA end date (R-S2, R-S3), shared by the SSA of a project (R-S1)
/// and a device move into a project under SSA (R-D6); <see cref="SscPayment"/> pays the quote.
/// </summary>
public static class SsaQuoting
{
    /// <summary>The quote of one lot of <paramref name="mac"/> up to <paramref name="endDate"/>, marked excluded when the caller left it out.</summary>
    public static SsaLotQuote QuoteLot(SscCalculator calculator, string mac, LicenseLot lot, DateOnly calculationDate, DateOnly endDate, ImmutableHashSet<string> excluded) =>
        new(lot.LotId, mac, lot.Version, lot.BindDate, lot.SsaEndDate,
            calculator.QuoteLot(new SscLot(lot.Type, lot.Units, lot.Version, lot.BindDate, lot.SsaEndDate), calculationDate, endDate),
            excluded.Contains(lot.LotId));

    /// <summary>Refuses (nothing applied) when 'excludedLots' names lots the quote does not hold.</summary>
    public static void EnsureExcludedAreQuoted(ImmutableHashSet<string> excluded, IEnumerable<SsaLotQuote> quotes, string whose)
    {
        var unknown = excluded.Except(quotes.Select(q => q.LotId)).Order(StringComparer.Ordinal).ToArray();
        if (unknown.Length > 0)
        {
            throw new LicensingException(
                ErrorCodes.ValidationFailed,
                $"'excludedLots' names lots that are not SSA lots of {whose}.",
                ImmutableDictionary<string, string[]>.Empty.Add("excludedLots", unknown));
        }
    }

    /// <summary>The SSC paid, for the metrics.</summary>
    public static IReadOnlyDictionary<string, int> UnitsPaid(long total) =>
        total is > 0 and <= int.MaxValue ? LicenseMath.ToMap([KeyValuePair.Create(SscPayment.SscType, (int)total)]) : LicenseMath.Empty;
}
