using System.Collections.Immutable;
using OrleansLicensing.Contracts;

namespace OrleansLicensing.Grains.Domain;

/// <summary>
/// SSC arithmetic of the SSA guide. Exact: the amount per lot is
/// ceil(units × rate × (2·daysTwice + daysOnce) / 365), computed in integers.
/// </summary>
public sealed class SscCalculator(Catalog catalog)
{
    private const int DaysPerYear = 365;

    /// <summary>
    /// Whether lots of <paramref name="type"/> go under SSA (R-S1): those with an SSC price. Warranty
    /// extensions and the SSC unit itself carry none, so an SSA neither charges nor dates them.
    /// </summary>
    public static bool CarriesSsc(Catalog catalog, string type) =>
        catalog.TryGetLicenseType(type, out var licenseType) && licenseType.SscPerUnitPerYear > 0;

    /// <summary>
    /// Coverage start of a lot (R-S2): its SSA end date when it has one (also a past one);
    /// otherwise its bind date — except that a lot of an older version than the one current on
    /// <paramref name="calculationDate"/> starts at the release of the version after its own.
    /// </summary>
    public DateOnly CoverageStart(SscLot lot, DateOnly calculationDate)
    {
        if (lot.SsaEndDate is { } ssaEnd)
        {
            return ssaEnd;
        }

        var lotVersion = catalog.GetVersion(lot.Version);
        var current = catalog.CurrentVersion(calculationDate);
        if (lotVersion.Number < current.Number && catalog.NextVersion(lotVersion) is { } next)
        {
            return next.ReleaseDate;
        }

        return lot.BindDate;
    }

    public SscLotQuote QuoteLot(SscLot lot, DateOnly calculationDate, DateOnly endDate)
    {
        if (!catalog.TryGetLicenseType(lot.Type, out var type))
        {
            throw new LicensingException(ErrorCodes.UnknownLicenseType, $"License type '{lot.Type}' is not in the catalog.");
        }

        if (lot.Units <= 0 || lot.Units > LicenseMath.MaxUnitsPerEntry)
        {
            throw new LicensingException(ErrorCodes.InvalidUnits, $"Units for '{lot.Type}' must be between 1 and {LicenseMath.MaxUnitsPerEntry}, not {lot.Units}.");
        }

        var start = CoverageStart(lot, calculationDate);

        // R-S3: days before the calculation date are paid twice, the rest once.
        var daysTwice = start < calculationDate ? calculationDate.DayNumber - start.DayNumber : 0;
        var onceFrom = start > calculationDate ? start : calculationDate;
        var daysOnce = Math.Max(0, endDate.DayNumber - onceFrom.DayNumber);

        var weightedDays = (2L * daysTwice) + daysOnce;
        var numerator = lot.Units * (long)type.SscPerUnitPerYear * weightedDays;
        var ssc = (numerator + DaysPerYear - 1) / DaysPerYear;
        // Adding 0.0000m fixes the scale at four decimals, so 1 is shown as 1.0000 (R-S3).
        var multiplier = Math.Round((decimal)weightedDays / DaysPerYear, 4, MidpointRounding.AwayFromZero) + 0.0000m;
        return new SscLotQuote(lot.Type, lot.Units, start, daysTwice, daysOnce, multiplier, ssc);
    }

    public SscQuote Quote(IEnumerable<SscLot> lots, DateOnly calculationDate, DateOnly endDate)
    {
        if (endDate < calculationDate)
        {
            throw new LicensingException(ErrorCodes.SsaEndInPast, $"The SSA end date {endDate:yyyy-MM-dd} is before the calculation date {calculationDate:yyyy-MM-dd}.");
        }

        var quotes = lots.Select(lot => QuoteLot(lot, calculationDate, endDate)).ToImmutableArray();
        return new SscQuote(quotes, quotes.Sum(q => q.Ssc));
    }
}
