using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace OrleansLicensing.Contracts;

/// <summary>
/// A device's hardware address in the vendor's address block (R-F1). The canonical text
/// form — lower-case hex pairs joined by dashes — is the device grain's key.
/// </summary>
public readonly record struct Mac
{
    /// <summary>The vendor's organisationally unique identifier, added to six-digit input.</summary>
    public const string VendorPrefix = "00-90-33";

    private const long VendorOui = 0x009033;

    private Mac(long value) => Value = value;

    /// <summary>The 48-bit address.</summary>
    public long Value { get; }

    /// <summary>The device-specific lower 24 bits.</summary>
    public int Suffix => (int)(Value & 0xFFFFFF);

    public static Mac FromSuffix(int suffix)
    {
        if (suffix is < 0 or > 0xFFFFFF)
        {
            throw new ArgumentOutOfRangeException(nameof(suffix));
        }

        return new Mac((VendorOui << 24) | (uint)suffix);
    }

    /// <summary>
    /// Accepts <c>00-90-33-xx-xx-xx</c>, <c>00:90:33:xx:xx:xx</c>, <c>009033xxxxxx</c> and
    /// <c>xxxxxx</c>, case-insensitive, surrounding white space ignored. Anything else —
    /// including addresses outside the vendor's block and mixed separators — is rejected.
    /// </summary>
    public static bool TryParse([NotNullWhen(true)] string? input, out Mac mac)
    {
        mac = default;
        if (input is null)
        {
            return false;
        }

        var text = input.Trim();
        string hex;
        switch (text.Length)
        {
            case 6:
                hex = "009033" + text;
                break;
            case 12:
                hex = text;
                break;
            case 17:
                var separator = text[2];
                if (separator is not ('-' or ':'))
                {
                    return false;
                }

                Span<char> digits = stackalloc char[12];
                for (var group = 0; group < 6; group++)
                {
                    var at = group * 3;
                    if (group > 0 && text[at - 1] != separator)
                    {
                        return false;
                    }

                    digits[group * 2] = text[at];
                    digits[(group * 2) + 1] = text[at + 1];
                }

                hex = new string(digits);
                break;
            default:
                return false;
        }

        foreach (var c in hex)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        var value = long.Parse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        if (value >> 24 != VendorOui)
        {
            return false;
        }

        mac = new Mac(value);
        return true;
    }

    /// <summary>Parses or throws <c>InvalidMac</c>.</summary>
    public static Mac Parse(string? input) =>
        TryParse(input, out var mac)
            ? mac
            : throw new LicensingException(ErrorCodes.InvalidMac, $"'{input}' is not a valid MAC address; use 00-90-33-xx-xx-xx, 00:90:33:xx:xx:xx, 009033xxxxxx or xxxxxx.");

    /// <summary>The canonical form, e.g. <c>00-90-33-0a-1b-2c</c>.</summary>
    public override string ToString() => string.Create(17, Value, static (span, value) =>
    {
        for (var group = 0; group < 6; group++)
        {
            var b = (byte)(value >> (8 * (5 - group)));
            b.TryFormat(span[(group * 3)..], out _, "x2", CultureInfo.InvariantCulture);
            if (group < 5)
            {
                span[(group * 3) + 2] = '-';
            }
        }
    });

    /// <summary>
    /// Every address from <paramref name="from"/> to <paramref name="to"/>, inclusive (R-F2).
    /// Throws <c>ValidationFailed</c> when the range is reversed and <c>TooManyDevices</c> above
    /// <paramref name="max"/> addresses.
    /// </summary>
    public static IReadOnlyList<Mac> Range(Mac from, Mac to, int max)
    {
        if (to.Value < from.Value)
        {
            throw LicensingException.Validation($"The range {from} to {to} is reversed: 'from' must not be after 'to'.");
        }

        var count = to.Value - from.Value + 1;
        if (count > max)
        {
            throw new LicensingException(ErrorCodes.TooManyDevices, $"The range {from} to {to} holds {count} devices; at most {max} can be added at once.");
        }

        var result = new Mac[count];
        for (var i = 0; i < count; i++)
        {
            result[i] = new Mac(from.Value + i);
        }

        return result;
    }
}
