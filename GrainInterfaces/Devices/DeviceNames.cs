using System.Text.RegularExpressions;

namespace OrleansLicensing.Contracts;

/// <summary>
/// R-D4: a device name may not look like a device identity — a MAC in any form R-F1 accepts, or a
/// DECT handset's IPEI. The seeds give no IPEI format; we take the two forms handsets and DECT
/// tools print: 13 decimal digits (5 EMC, 7 PSN, 1 check digit or <c>*</c>; the check digit may
/// be left out; groups separated by nothing, a space or a dash, e.g. <c>00077 0123456 7</c>) and
/// 10 hex digits (EMC and PSN in hex, e.g. <c>0004D 1A2B3</c>, optionally grouped 5+5).
/// </summary>
public static partial class DeviceNames
{
    public static bool LooksLikeIdentity(string name)
    {
        var trimmed = name.Trim();
        return Mac.TryParse(trimmed, out _) || DecimalIpei().IsMatch(trimmed) || HexIpei().IsMatch(trimmed);
    }

    [GeneratedRegex(@"^\d{5}[ -]?\d{7}(?:[ -]?[\d*])?$", RegexOptions.CultureInvariant)]
    private static partial Regex DecimalIpei();

    [GeneratedRegex(@"^[0-9A-Fa-f]{5}[ -]?[0-9A-Fa-f]{5}$", RegexOptions.CultureInvariant)]
    private static partial Regex HexIpei();
}
