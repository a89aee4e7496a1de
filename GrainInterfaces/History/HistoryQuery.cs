using System.Buffers.Text;
using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace OrleansLicensing.Contracts;

/// <summary>The periods a history read can look back (R-Q2) and where each begins.</summary>
public static class HistoryPeriods
{
    public const string Day = "day";
    public const string Week = "week";
    public const string Month = "month";
    public const string Year = "year";
    public const string Always = "always";

    public static readonly ImmutableArray<string> All = [Day, Week, Month, Year, Always];

    /// <summary>
    /// The oldest time a period includes, counted back from <paramref name="now"/> in calendar
    /// terms (a month back from 31 March is the last day of February); null for always.
    /// ValidationFailed for an unknown period.
    /// </summary>
    public static DateTimeOffset? Start(string? period, DateTimeOffset now) => (period ?? Always).ToLowerInvariant() switch
    {
        Day => now.AddDays(-1),
        Week => now.AddDays(-7),
        Month => now.AddMonths(-1),
        Year => now.AddYears(-1),
        Always => null,
        _ => throw LicensingException.Validation($"period must be one of {string.Join(", ", All)}."),
    };
}

/// <summary>
/// The opaque paging cursor of a history read: for each log read (the company's and the ones it
/// absorbed), the sequence number below which the next page continues; 0 when the log is done.
/// Encoded as base64url text of <c>log=position</c> pairs, so only the server interprets it.
/// </summary>
public static class HistoryCursor
{
    public static string Encode(IReadOnlyDictionary<string, long> positions)
    {
        var text = string.Join('\n', positions.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value.ToString(CultureInfo.InvariantCulture)}"));
        return Base64Url.EncodeToString(Encoding.UTF8.GetBytes(text));
    }

    /// <summary>The positions in a cursor; ValidationFailed when the text is not a cursor this server wrote.</summary>
    public static ImmutableDictionary<string, long> Decode(string cursor)
    {
        if (cursor.Length > InputLimits.Text.HistoryCursor)
        {
            throw LicensingException.Validation($"cursor has at most {InputLimits.Text.HistoryCursor} characters; pass nextCursor of the previous page unchanged.");
        }

        if (cursor.Length == 0)
        {
            throw Invalid();
        }

        string text;
        try
        {
            text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor));
        }
        catch (FormatException)
        {
            throw Invalid();
        }

        var positions = ImmutableDictionary.CreateBuilder<string, long>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            var separator = line.LastIndexOf('=');
            if (separator <= 0
                || !long.TryParse(line.AsSpan(separator + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var position)
                || !positions.TryAdd(line[..separator], position))
            {
                throw Invalid();
            }
        }

        return positions.ToImmutable();
    }

    private static LicensingException Invalid() => LicensingException.Validation("cursor is not a cursor of this history; pass nextCursor of the previous page unchanged.");
}
