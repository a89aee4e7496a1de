namespace OrleansLicensing.Contracts;

/// <summary>Warranty extensions (R-L7): which type, how many years.</summary>
public static class WarrantyRules
{
    /// <summary>At most this many years of warranty extension per device, of both types together.</summary>
    public const int MaxYears = 4;

    /// <summary>The cheaper type may be bought up to this many days after the ship date (inclusive).</summary>
    public const int EarlyWindowDays = 30;

    public const string Warranty = "Warranty";

    public const string WarrantyEarly = "Warranty-Early";

    /// <summary>Whether <paramref name="today"/> is within the early window after <paramref name="shipDate"/>.</summary>
    public static bool IsEarly(DateOnly shipDate, DateOnly today) => today.DayNumber - shipDate.DayNumber <= EarlyWindowDays;

    /// <summary>The warranty type a device shipped on <paramref name="shipDate"/> gets today.</summary>
    public static string TypeFor(DateOnly shipDate, DateOnly today) => IsEarly(shipDate, today) ? WarrantyEarly : Warranty;

    /// <summary>Whole years, 1 to <see cref="MaxYears"/>; the total per device is checked under its lock (LicenseConsistency).</summary>
    public static void CheckYears(int years)
    {
        if (years is < 1 or > MaxYears)
        {
            throw new LicensingException(ErrorCodes.InvalidUnits, $"'years' must be a whole number from 1 to {MaxYears}, not {years}.");
        }
    }

    /// <summary>
    /// Refuses <c>Warranty-Early</c> in a request once the early window after the ship date is
    /// over (R-L7), whichever route names it.
    /// </summary>
    public static void CheckEarlyWindow(IEnumerable<string> types, DateOnly shipDate, DateOnly today)
    {
        if (types.Contains(WarrantyEarly, StringComparer.Ordinal) && !IsEarly(shipDate, today))
        {
            throw new LicensingException(
                ErrorCodes.ConsistencyViolation,
                $"{WarrantyEarly} can be added only within {EarlyWindowDays} days after the ship date {shipDate:yyyy-MM-dd}; add {Warranty} instead.",
                System.Collections.Immutable.ImmutableDictionary<string, string[]>.Empty.Add("rule", ["R-L7"]));
        }
    }
}
