using System.Collections.Immutable;
using System.Globalization;
using OrleansLicensing.Contracts;

namespace OrleansLicensing.Grains.Legacy;

/// <summary>An old device's licenses as the lots an import binds to it (R-I2, R-I3): source Import, type, units, version and bind date kept, no SSA end, no external key.</summary>
public static class LegacyLots
{
    /// <summary>The lots, with ids derived from the MAC and the license's position, so a re-run import names them the same.</summary>
    public static ImmutableArray<LicenseLot> Of(LegacyDevice device)
    {
        var compact = device.Mac.Replace("-", string.Empty, StringComparison.Ordinal);
        return [.. device.Licenses.Select((license, index) =>
            new LicenseLot(license.Type, license.Units, license.Version, license.BindDate, null, null, LotSources.Import)
            {
                LotId = $"imp-{compact}-{index.ToString(CultureInfo.InvariantCulture)}",
            })];
    }
}
