using System.Collections.Immutable;

namespace OrleansLicensing.Contracts;

/// <summary>
/// The status check of any registered device (right <c>CheckDeviceStatus</c>): its licenses, the
/// SSA end and the warranty end — nothing about its company, project, name or comment.
/// </summary>
public static class DeviceStatusReport
{
    /// <summary>
    /// The warranty every device has from its ship date, before extensions (R-L7). The seeds do not
    /// give it: a product decision (two years, the usual statutory warranty in the vendor's market).
    /// </summary>
    public const int BaseWarrantyYears = 2;

    /// <summary>Ship date plus the base warranty plus one year per unit of the warranty-extension lots on the device.</summary>
    public static DateOnly WarrantyEnd(DateOnly shipDate, IEnumerable<LicenseLot> lots, Catalog catalog) =>
        shipDate.AddYears(BaseWarrantyYears + lots
            .Where(l => catalog.TryGetLicenseType(l.Type, out var type) && type.Category == LicenseCategory.Warranty)
            .Sum(l => l.Units));

    /// <summary>The earliest SSA end among the lots under SSA: the day up to which all of them are covered; null when none is.</summary>
    public static DateOnly? SsaEnd(ImmutableArray<LicenseLot> lots) =>
        lots.Where(l => l.SsaEndDate is not null).Select(l => l.SsaEndDate!.Value).DefaultIfEmpty().Min() is var end && end != default ? end : null;
}
