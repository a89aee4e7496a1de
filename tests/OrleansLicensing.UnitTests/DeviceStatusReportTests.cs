using OrleansLicensing.Contracts;

namespace OrleansLicensing.UnitTests;

/// <summary>The device status check's dates: warranty end (base plus extensions, R-L7) and SSA end.</summary>
public sealed class DeviceStatusReportTests
{
    private static readonly DateOnly Shipped = new(2026, 3, 15);

    private static LicenseLot Lot(string type, int units, DateOnly? ssaEnd = null) => new(type, units, "V13", Shipped, ssaEnd, null, "Balance");

    [Fact]
    public void Warranty_runs_two_years_from_shipping_plus_a_year_per_extension_unit_of_either_kind()
    {
        Assert.Equal(new DateOnly(2028, 3, 15), DeviceStatusReport.WarrantyEnd(Shipped, [Lot("PBX-Port8*20", 3)], Catalog.Default));
        Assert.Equal(new DateOnly(2031, 3, 15), DeviceStatusReport.WarrantyEnd(Shipped, [Lot("Warranty-Early", 1), Lot("PBX-Port8*20", 3), Lot("Warranty", 2)], Catalog.Default));
    }

    [Fact]
    public void Ssa_end_is_the_earliest_end_among_lots_under_ssa_and_null_without_any()
    {
        Assert.Null(DeviceStatusReport.SsaEnd([Lot("PBX-Port8*20", 3)]));
        Assert.Null(DeviceStatusReport.SsaEnd([]));
        Assert.Equal(new DateOnly(2027, 1, 1), DeviceStatusReport.SsaEnd([Lot("PBX-Port8*20", 3, new DateOnly(2028, 1, 1)), Lot("PBX-Voicemail", 3, new DateOnly(2027, 1, 1)), Lot("Warranty", 1)]));
    }
}
