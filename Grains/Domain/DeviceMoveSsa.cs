using OrleansLicensing.Contracts;

namespace OrleansLicensing.Grains.Domain;

/// <summary>
/// R-D6: which lots of a device moved into a project under SSA get the project's SSA end date —
/// the lots under SSA (they have an end date) that carry SSC, end before the target's end and
/// are not excluded by the caller. Lots never put under SSA stay so; later ends stay as they are.
/// </summary>
public static class DeviceMoveSsa
{
    public static bool Extends(Catalog catalog, LicenseLot lot, DateOnly targetEnd, IReadOnlySet<string> excludedLotIds) =>
        lot.SsaEndDate is { } current && current < targetEnd && !excludedLotIds.Contains(lot.LotId) && SscCalculator.CarriesSsc(catalog, lot.Type);
}
