using System.Collections.Immutable;
using System.Globalization;
using System.Text.RegularExpressions;

namespace OrleansLicensing.Contracts;

/// <summary>The kinds of things a search finds (R-Q1).</summary>
public static class SearchKinds
{
    public const string Device = "device";
    public const string Project = "project";
    public const string Key = "key";
    public const string LicenseType = "licenseType";

    public static readonly ImmutableArray<string> All = [Device, Project, Key, LicenseType];
}

/// <summary>
/// A parsed search (R-Q1): the text, the kinds asked for, and for <c>TYPE=N</c> a license type
/// prefix with a minimum number of units. Built only by <see cref="Parse"/>, which enforces the
/// minimum lengths (3 characters; 5 for activation keys) with <see cref="ErrorCodes.SearchTooShort"/>.
/// </summary>
[GenerateSerializer, Immutable]
public sealed partial record SearchQuery(
    [property: Id(0)] string Text,
    [property: Id(1)] ImmutableArray<string> Kinds,
    [property: Id(2)] string? LicenseTypePrefix,
    [property: Id(3)] int MinUnits)
{
    public const int MinLength = 3;
    public const int MinKeyLength = 5;
    public const int MaxLength = InputLimits.Text.SearchQuery;

    public bool Includes(string kind) => Kinds.Contains(kind);

    /// <summary>
    /// The hex digits of a text that could be part of a MAC in any accepted form (dashes, colons,
    /// no separators; any case), else null.
    /// </summary>
    public string? MacDigits => MacDigitsOf(Text);

    /// <summary>The text without dashes, upper case: how a part of an activation key is compared.</summary>
    public string KeyText => Text.Replace("-", string.Empty, StringComparison.Ordinal).ToUpperInvariant();

    public static SearchQuery Parse(string? q, string? kind)
    {
        var text = (q ?? string.Empty).Trim();
        if (text.Length > MaxLength)
        {
            throw LicensingException.Validation($"q has at most {MaxLength} characters.");
        }

        ImmutableArray<string> kinds;
        if (string.IsNullOrEmpty(kind))
        {
            kinds = SearchKinds.All;
        }
        else
        {
            var known = SearchKinds.All.FirstOrDefault(k => string.Equals(k, kind, StringComparison.OrdinalIgnoreCase))
                ?? throw LicensingException.Validation($"kind must be one of {string.Join(", ", SearchKinds.All)}.");
            kinds = [known];
        }

        if (text.Length < MinLength)
        {
            throw new LicensingException(ErrorCodes.SearchTooShort, $"A search needs at least {MinLength} characters.");
        }

        if (kinds is [SearchKinds.Key] && text.Length < MinKeyLength)
        {
            throw new LicensingException(ErrorCodes.SearchTooShort, $"A search for activation keys needs at least {MinKeyLength} characters.");
        }

        var match = LicenseAmount().Match(text);
        if (match.Success && kinds.Contains(SearchKinds.LicenseType))
        {
            // TYPE=N asks only for devices holding at least N units of a type starting with TYPE.
            if (!int.TryParse(match.Groups["units"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var units))
            {
                throw LicensingException.Validation("The number of units after '=' is too large.");
            }

            var prefix = match.Groups["type"].Value;
            if (prefix.Length < MinLength)
            {
                throw new LicensingException(ErrorCodes.SearchTooShort, $"A license type search needs at least {MinLength} characters before '='.");
            }

            return new SearchQuery(text, [SearchKinds.LicenseType], prefix, units);
        }

        return new SearchQuery(text, kinds, text, 1);
    }

    private static string? MacDigitsOf(string text)
    {
        var digits = text.Replace("-", string.Empty, StringComparison.Ordinal).Replace(":", string.Empty, StringComparison.Ordinal).ToLowerInvariant();
        return digits.Length >= 2 && digits.All(Uri.IsHexDigit) ? digits : null;
    }

    [GeneratedRegex(@"^(?<type>[^=\s]+)\s*=\s*(?<units>[0-9]+)$")]
    private static partial Regex LicenseAmount();
}
