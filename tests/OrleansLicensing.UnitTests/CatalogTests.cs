using System.Text;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Domain;

namespace OrleansLicensing.UnitTests;

public sealed class CatalogTests
{
    private static readonly Catalog Catalog = Catalog.Default;

    private static DateOnly D(string iso) => DateOnly.ParseExact(iso, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void R_V1_versions_are_V5_to_V13_in_order()
    {
        Assert.Equal(
            ["V5", "V6", "V7", "V8", "V9", "V10", "V11", "V12", "V13"],
            Catalog.Versions.Select(v => v.Version));
        Assert.Equal(Enumerable.Range(5, 9), Catalog.Versions.Select(v => v.Number));
    }

    [Fact]
    public void R_V1_release_dates_strictly_increase_with_the_version()
    {
        for (var i = 1; i < Catalog.Versions.Length; i++)
        {
            Assert.True(Catalog.Versions[i - 1].ReleaseDate < Catalog.Versions[i].ReleaseDate, $"{Catalog.Versions[i - 1].Version} must be released before {Catalog.Versions[i].Version}");
        }
    }

    [Theory]
    [InlineData("V5", "2003-01-01")]
    [InlineData("V6", "2006-11-02")]
    [InlineData("V7", "2008-11-14")]
    [InlineData("V8", "2009-12-07")]
    public void R_V1_seed_release_dates(string version, string releaseDate)
    {
        var release = Catalog.GetVersion(version);
        Assert.Equal(D(releaseDate), release.ReleaseDate);
        Assert.Equal("seed", release.Source);
    }

    [Theory]
    [InlineData("2003-01-01", "V5")]
    [InlineData("2006-11-01", "V5")]
    [InlineData("2006-11-02", "V6")]
    [InlineData("2008-11-13", "V6")]
    [InlineData("2008-11-14", "V7")]
    [InlineData("2009-08-31", "V7")]
    [InlineData("2009-12-06", "V7")]
    [InlineData("2009-12-07", "V8")]
    [InlineData("2010-02-01", "V8")]
    [InlineData("2011-05-31", "V8")]
    [InlineData("2011-06-01", "V9")]
    [InlineData("2019-06-02", "V12")]
    [InlineData("2019-06-03", "V13")]
    [InlineData("2099-12-31", "V13")]
    public void R_V1_current_version_is_the_newest_released_on_or_before_the_day(string day, string expected) =>
        Assert.Equal(expected, Catalog.CurrentVersion(D(day)).Version);

    [Fact]
    public void R_V1_before_the_first_release_the_oldest_version_is_current() =>
        Assert.Equal("V5", Catalog.CurrentVersion(D("2002-12-31")).Version);

    [Theory]
    [InlineData("V5", "V6")]
    [InlineData("V7", "V8")]
    [InlineData("V8", "V9")]
    [InlineData("V9", "V10")]
    [InlineData("V12", "V13")]
    [InlineData("V13", null)]
    public void NextVersion_is_the_following_release(string version, string? expected) =>
        Assert.Equal(expected, Catalog.NextVersion(Catalog.GetVersion(version))?.Version);

    [Theory]
    [InlineData("V4")]
    [InlineData("V14")]
    [InlineData("v8")]
    [InlineData("8")]
    [InlineData("")]
    public void Unknown_versions_are_VersionNotOffered(string version)
    {
        Assert.False(Catalog.TryGetVersion(version, out _));
        DomainAssert.Fails(ErrorCodes.VersionNotOffered, () => Catalog.GetVersion(version));
    }

    [Theory]
    [InlineData("PBX-PBX7#15", 40, "V7", "V7")]
    [InlineData("PBX-Port8*20", 54, "V8", null)]
    [InlineData("Relay-PRI", 10, "V5", null)]
    [InlineData("SSC", 0, "V5", null)]
    public void SPEC5_license_types_carry_their_rate_and_version_range(string code, int rate, string minVersion, string? maxVersion)
    {
        Assert.True(Catalog.TryGetLicenseType(code, out var type));
        Assert.Equal(rate, type.SscPerUnitPerYear);
        Assert.Equal(minVersion, type.MinVersion);
        Assert.Equal(maxVersion, type.MaxVersion);
    }

    [Theory]
    [InlineData("PBX-PBX7#15")]
    [InlineData("PBX-Port8*20")]
    [InlineData("PBX-Voicemail")]
    [InlineData("PBX-Standby")]
    [InlineData("PBX-Registration")]
    [InlineData("PBX-Mobility")]
    [InlineData("Relay-PRI")]
    [InlineData("DECT-Multi-Cell-Ari")]
    [InlineData("Warranty")]
    [InlineData("Warranty-Early")]
    [InlineData("SSC")]
    public void SPEC5_required_license_types_are_in_the_catalog(string code) =>
        Assert.True(Catalog.TryGetLicenseType(code, out _));

    [Fact]
    public void SPEC5_there_are_further_V8_port_packages_besides_PBX_Port8x20() =>
        Assert.True(Catalog.LicenseTypes.Count(t => t.Category == LicenseCategory.PbxPackage && t.MinVersion == "V8") >= 2);

    [Fact]
    public void SPEC5_every_license_type_names_known_versions_in_order()
    {
        foreach (var type in Catalog.LicenseTypes)
        {
            var min = Catalog.GetVersion(type.MinVersion);
            if (type.MaxVersion is not null)
            {
                Assert.True(Catalog.GetVersion(type.MaxVersion).Number >= min.Number, type.Code);
            }
        }
    }

    [Fact]
    public void SPEC5_every_pbx_package_grants_ports_and_other_types_grant_none()
    {
        foreach (var type in Catalog.LicenseTypes)
        {
            if (type.Category == LicenseCategory.PbxPackage)
            {
                Assert.True(type.Ports > 0, type.Code);
            }
            else
            {
                Assert.Equal(0, type.Ports);
            }
        }
    }

    [Theory]
    [InlineData("IP6000")]
    [InlineData("IP800")]
    [InlineData("IP1200")]
    [InlineData("IP0011")]
    [InlineData("IP222")]
    public void R_D1_seed_device_types_are_in_the_catalog(string code) =>
        Assert.True(Catalog.TryGetDeviceType(code, out _));

    [Fact]
    public void SPEC5_every_device_type_maximum_names_a_known_bindable_type_with_a_positive_limit()
    {
        Assert.NotEmpty(Catalog.DeviceTypes);
        foreach (var deviceType in Catalog.DeviceTypes)
        {
            Assert.NotEmpty(deviceType.Maxima);
            foreach (var (code, maximum) in deviceType.Maxima)
            {
                Assert.True(Catalog.TryGetLicenseType(code, out var type), $"{deviceType.Code} names unknown type {code}");
                Assert.NotEqual(LicenseCategory.Credit, type.Category);
                Assert.True(maximum > 0, $"{deviceType.Code}/{code}");
            }
        }
    }

    [Fact]
    public void R_L2_an_IP6000_allows_at_most_4_Relay_PRI()
    {
        Assert.True(Catalog.TryGetDeviceType("IP6000", out var ip6000));
        Assert.Equal(4, ip6000.Maxima["Relay-PRI"]);
    }

    [Fact]
    public void Lookups_are_case_sensitive()
    {
        Assert.False(Catalog.TryGetLicenseType("relay-pri", out _));
        Assert.False(Catalog.TryGetDeviceType("ip6000", out _));
    }

    // ---- ValidateLicenseMap ----

    [Fact]
    public void ValidateLicenseMap_returns_the_map_sorted_by_type()
    {
        var map = Catalog.ValidateLicenseMap(new Dictionary<string, int> { ["Relay-PRI"] = 2, ["PBX-Port8*20"] = 1, ["Warranty"] = 3 });

        Assert.Equal(["PBX-Port8*20", "Relay-PRI", "Warranty"], map.Keys);
        Assert.Equal([1, 2, 3], map.Values);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(LicenseMath.MaxUnitsPerEntry)]
    public void ValidateLicenseMap_accepts_1_up_to_the_maximum(int units) =>
        Assert.Equal(units, Catalog.ValidateLicenseMap(new Dictionary<string, int> { ["Relay-PRI"] = units })["Relay-PRI"]);

    [Theory]
    [InlineData("Unknown")]
    [InlineData("relay-pri")]
    [InlineData("")]
    [InlineData("PBX-Port8*21")]
    public void ValidateLicenseMap_unknown_type_is_UnknownLicenseType(string code) =>
        DomainAssert.Fails(ErrorCodes.UnknownLicenseType, () => Catalog.ValidateLicenseMap(new Dictionary<string, int> { ["Relay-PRI"] = 1, [code] = 1 }));

    [Theory]
    [InlineData(0, false)]
    [InlineData(-1, false)]
    [InlineData(int.MinValue, false)]
    [InlineData(LicenseMath.MaxUnitsPerEntry + 1, false)]
    [InlineData(int.MaxValue, false)]
    [InlineData(0, true)]
    [InlineData(-LicenseMath.MaxUnitsPerEntry - 1, true)]
    [InlineData(int.MinValue, true)]
    [InlineData(LicenseMath.MaxUnitsPerEntry + 1, true)]
    public void ValidateLicenseMap_zero_negative_or_too_large_units_are_InvalidUnits(int units, bool allowNegative) =>
        DomainAssert.Fails(ErrorCodes.InvalidUnits, () => Catalog.ValidateLicenseMap(new Dictionary<string, int> { ["Relay-PRI"] = units }, allowNegative));

    [Theory]
    [InlineData(-1)]
    [InlineData(-LicenseMath.MaxUnitsPerEntry)]
    public void ValidateLicenseMap_allows_negative_units_when_asked(int units) =>
        Assert.Equal(units, Catalog.ValidateLicenseMap(new Dictionary<string, int> { ["Relay-PRI"] = units, ["Warranty"] = 1 }, allowNegative: true)["Relay-PRI"]);

    [Fact]
    public void ValidateLicenseMap_null_or_empty_is_ValidationFailed()
    {
        DomainAssert.Fails(ErrorCodes.ValidationFailed, () => Catalog.ValidateLicenseMap(null));
        DomainAssert.Fails(ErrorCodes.ValidationFailed, () => Catalog.ValidateLicenseMap(new Dictionary<string, int>()));
        DomainAssert.Fails(ErrorCodes.ValidationFailed, () => Catalog.ValidateLicenseMap(new Dictionary<string, int>(), allowNegative: true));
    }

    // ---- Load ----

    private static Catalog LoadJson(string json) => Catalog.Load(new MemoryStream(Encoding.UTF8.GetBytes(json)));

    [Fact]
    public void Load_orders_versions_by_number_not_by_text_or_file_order()
    {
        var catalog = LoadJson("""
            {
              "versions": [
                { "version": "V10", "releaseDate": "2013-03-04", "source": "t" },
                { "version": "V8", "releaseDate": "2009-12-07", "source": "t" },
                { "version": "V9", "releaseDate": "2011-06-01", "source": "t" }
              ],
              "licenseTypes": [ { "code": "A", "category": "Gateway", "sscPerUnitPerYear": 1, "minVersion": "V8", "description": "a", "source": "t" } ],
              "deviceTypes": [ { "code": "D", "description": "d", "source": "t", "maxima": { "A": 1 } } ]
            }
            """);

        Assert.Equal(["V8", "V9", "V10"], catalog.Versions.Select(v => v.Version));
        Assert.Equal("V10", catalog.NextVersion(catalog.GetVersion("V9"))?.Version);
    }

    [Fact]
    public void Load_rejects_a_device_type_that_names_an_unknown_license_type() =>
        Assert.Throws<InvalidDataException>(() => LoadJson("""
            {
              "versions": [ { "version": "V8", "releaseDate": "2009-12-07", "source": "t" } ],
              "licenseTypes": [ { "code": "A", "category": "Gateway", "sscPerUnitPerYear": 1, "minVersion": "V8", "description": "a", "source": "t" } ],
              "deviceTypes": [ { "code": "D", "description": "d", "source": "t", "maxima": { "A": 1, "B": 2 } } ]
            }
            """));
}
