using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Domain;

namespace OrleansLicensing.UnitTests;

/// <summary>R-V1 type mapping and R-V3 offered versions, as pure rules.</summary>
public sealed class LicenseFilesTests
{
    private static readonly Catalog Catalog = Catalog.Default;

    private static LicenseLot Lot(string type, int units, string version, string? ssaEnd = null) =>
        new(type, units, version, new DateOnly(2012, 1, 1), ssaEnd is null ? null : DateOnly.Parse(ssaEnd, System.Globalization.CultureInfo.InvariantCulture), null, LotSources.Balance) { LotId = type + version };

    private static string[] Offered(DateOnly today, bool noDowngrade, params LicenseLot[] lots) =>
        [.. LicenseFiles.OfferedVersions(Catalog, lots, noDowngrade, today).Select(v => v.Version)];

    [Fact]
    public void R_V3_a_lot_without_SSA_is_offered_from_V6_up_to_its_own_version()
    {
        var day = new DateOnly(2013, 6, 1);
        Assert.Equal(["V6", "V7", "V8"], Offered(day, false, Lot("PBX-Port8*20", 1, "V8")));
        Assert.Equal(["V8"], Offered(day, true, Lot("PBX-Port8*20", 1, "V8")));
        Assert.Empty(Offered(day, true, Lot("PBX-PBX7#15", 1, "V7")));
    }

    [Fact]
    public void R_V3_a_lot_under_SSA_reaches_every_version_released_before_its_SSA_end_but_none_unreleased()
    {
        // V10 2013-03-04, V11 2014-10-01.
        Assert.Equal(["V6", "V7", "V8", "V9", "V10"], Offered(new DateOnly(2013, 6, 1), false, Lot("PBX-Port8*20", 1, "V8", "2015-01-01")));
        Assert.Equal(["V6", "V7", "V8", "V9", "V10", "V11"], Offered(new DateOnly(2015, 6, 1), false, Lot("PBX-Port8*20", 1, "V8", "2015-01-01")));
        Assert.Equal(["V6", "V7", "V8", "V9", "V10"], Offered(new DateOnly(2015, 6, 1), false, Lot("PBX-Port8*20", 1, "V8", "2014-10-01")));
    }

    [Fact]
    public void R_V3_warranty_extensions_do_not_raise_the_ceiling_a_device_with_only_them_gets_every_released_version()
    {
        var day = new DateOnly(2013, 6, 1);
        Assert.Equal(["V6", "V7"], Offered(day, false, Lot("PBX-PBX7#15", 1, "V7"), Lot("Warranty", 1, "V10")));
        Assert.Equal(["V6", "V7", "V8", "V9", "V10"], Offered(day, false, Lot("Warranty", 1, "V10")));
    }

    [Fact]
    public void R_V3_a_version_not_offered_is_VersionNotOffered() =>
        DomainAssert.Fails(ErrorCodes.VersionNotOffered, () => LicenseFiles.CheckOffered(Catalog, [Lot("PBX-Port8*20", 1, "V8")], false, "V5", new DateOnly(2013, 6, 1)));

    [Theory]
    [InlineData("PBX-PBX7#15", 1, "V8", "PBX-Port8*5", 3)]
    [InlineData("PBX-PBX7#15", 4, "V8", "PBX-Port8*20", 3)]
    [InlineData("PBX-Port8*20", 1, "V7", "PBX-PBX7#15", 1)]
    [InlineData("PBX-Port8*100", 3, "V7", "PBX-PBX7#15", 20)]
    [InlineData("PBX-Port8*20", 2, "V13", "PBX-Port8*20", 2)]
    [InlineData("Relay-PRI", 2, "V6", "Relay-PRI", 2)]
    public void R_V1_types_map_to_the_version_of_the_file_by_PBX_ports_never_more_than_bought(string type, int units, string version, string mappedType, int mappedUnits)
    {
        var mapped = LicenseFiles.MapType(Catalog, Lot(type, units, "V8"), Catalog.GetVersion(version));
        Assert.NotNull(mapped);
        Assert.Equal((mappedType, mappedUnits, version), (mapped.Type, mapped.Units, mapped.Version));
        Assert.Equal(type + "V8", mapped.LotId);
    }

    [Theory]
    [InlineData("PBX-Port8", 3, "V7")]
    [InlineData("PBX-Floating7", 1, "V8")]
    [InlineData("PBX-PBX7#15", 1, "V6")]
    public void R_V1_a_lot_that_maps_to_nothing_is_left_out_of_the_file(string type, int units, string version) =>
        Assert.Null(LicenseFiles.MapType(Catalog, Lot(type, units, "V7"), Catalog.GetVersion(version)));
}
