using System.Globalization;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Domain;

namespace OrleansLicensing.UnitTests;

public sealed class LicenseConsistencyTests
{
    private static readonly LicenseConsistency Consistency = new(Catalog.Default);

    private static readonly DateOnly Today = new(2025, 1, 1);

    private static DateOnly D(string iso) => DateOnly.ParseExact(iso, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static LicenseLot Lot(string type, int units, string version = "V8") =>
        new(type, units, version, new DateOnly(2020, 1, 1), null, null, "Test");

    /// <summary>Parses "type=units;type=units" into lots, one per entry (entries may repeat a type).</summary>
    private static LicenseLot[] Lots(string spec) =>
        [.. spec.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(entry =>
        {
            var parts = entry.Split('=');
            return Lot(parts[0], int.Parse(parts[1], CultureInfo.InvariantCulture));
        })];

    private static void AssertViolation(string deviceType, string lots)
    {
        var error = DomainAssert.Fails(ErrorCodes.ConsistencyViolation, () => Consistency.Check(deviceType, Lots(lots)));
        Assert.True(error.Extensions.TryGetValue("rule", out var rules), "the violation must name the rule");
        Assert.Contains("R-L2", rules);
    }

    public static TheoryData<string, string> Consistent => new()
    {
        { "IP6000", "" },
        { "IP6000", "Relay-PRI=4" },
        { "IP6000", "Relay-PRI=1;Relay-PRI=3" },
        { "IP800", "Relay-PRI=1" },
        { "IP222", "Warranty=4" },
        { "IP222", "Warranty=2;Warranty-Early=2" },
        { "IP1200", "DECT-Multi-Cell-Ari=1;Warranty=1" },
        // 1 × PBX-Port8*20 = 20 ports
        { "IP6000", "PBX-Port8*20=1;PBX-Voicemail=20" },
        { "IP6000", "PBX-Port8*20=1;PBX-Voicemail=20;PBX-Standby=20;PBX-Registration=20" },
        { "IP6000", "PBX-Port8*20=1;PBX-Registration=19" },
        { "IP6000", "PBX-Port8*20=1;PBX-Registration=1" },
        { "IP6000", "PBX-Port8*20=1" },
        // 2 × 15 (V7 package) = 30 ports
        { "IP6000", "PBX-PBX7#15=2;PBX-Voicemail=30" },
        // 1·20 + 2·5 + 3·1 = 33 ports across package sizes
        { "IP6000", "PBX-Port8*20=1;PBX-Port8*5=2;PBX-Port8=3;PBX-Voicemail=33;PBX-Standby=33;PBX-Registration=33" },
        // the same type in several lots counts its total: 2 · 20 = 40 ports
        { "IP6000", "PBX-Port8*20=1;PBX-Port8*20=1;PBX-Voicemail=15;PBX-Voicemail=25" },
        // mobility has no port rule
        { "IP6000", "PBX-Port8*20=1;PBX-Mobility=500" },
        // device maxima reached exactly
        { "IP6000", "PBX-Port8*100=10;PBX-Voicemail=1000" },
        { "IP0011", "PBX-Port8*20=3;PBX-Registration=60" },
    };

    [Theory]
    [MemberData(nameof(Consistent))]
    public void R_L2_consistent_lots_pass(string deviceType, string lots) =>
        Consistency.Check(deviceType, Lots(lots));

    public static TheoryData<string, string> Inconsistent => new()
    {
        // device-type maxima
        { "IP6000", "Relay-PRI=5" },
        { "IP6000", "Relay-PRI=4;Relay-PRI=1" },
        { "IP800", "Relay-PRI=2" },
        { "IP6000", "PBX-Port8*100=11" },
        { "IP1200", "DECT-Multi-Cell-Ari=2" },
        // types a device type does not take at all
        { "IP222", "Relay-PRI=1" },
        { "IP222", "PBX-Port8*20=1" },
        { "IP1200", "PBX-Port8=1;PBX-Voicemail=1" },
        { "IP6000", "DECT-Multi-Cell-Ari=1" },
        { "IP0011", "Relay-PRI=1" },
        // the credit unit is never bound
        { "IP6000", "SSC=1" },
        { "IP222", "SSC=1" },
        // voicemail and standby equal the PBX ports
        { "IP6000", "PBX-Port8*20=1;PBX-Voicemail=19" },
        { "IP6000", "PBX-Port8*20=1;PBX-Voicemail=21" },
        { "IP6000", "PBX-Voicemail=1" },
        { "IP6000", "PBX-Port8*20=1;PBX-Standby=19" },
        { "IP6000", "PBX-PBX7#15=2;PBX-Voicemail=20" },
        { "IP6000", "PBX-Port8*20=1;PBX-Port8*5=2;PBX-Voicemail=20" },
        { "IP6000", "PBX-Port8*20=1;PBX-Voicemail=20;PBX-Standby=15" },
        // registrations at most the PBX ports
        { "IP6000", "PBX-Port8*20=1;PBX-Registration=21" },
        { "IP6000", "PBX-Registration=1" },
        { "IP6000", "PBX-Port8*20=1;PBX-Registration=11;PBX-Registration=10" },
    };

    [Theory]
    [MemberData(nameof(Inconsistent))]
    public void R_L2_inconsistent_lots_are_a_ConsistencyViolation_naming_the_rule(string deviceType, string lots) =>
        AssertViolation(deviceType, lots);

    [Theory]
    [InlineData("Warranty=5")]
    [InlineData("Warranty=3;Warranty-Early=2")]
    [InlineData("Warranty-Early=4;Warranty=1")]
    public void R_L7_more_than_four_years_of_warranty_of_both_types_together_is_WarrantyLimitExceeded(string lots)
    {
        var error = DomainAssert.Fails(ErrorCodes.WarrantyLimitExceeded, () => Consistency.Check("IP222", Lots(lots)));
        Assert.Contains("R-L7", error.Extensions["rule"]);
    }

    [Theory]
    [InlineData("PBX-Floating7=1;PBX-PBX7#15=1", "V7", true)]
    [InlineData("PBX-Floating7=1;PBX-PBX7#15=1", "V8", false)]
    [InlineData("PBX-Floating7=1;PBX-Port8*20=1", "V8", false)]
    [InlineData("PBX-Floating7=1;Relay-PRI=2", "V7", false)]
    public void R_L6_a_floating_license_excludes_V7_pbx_licenses_on_the_device(string spec, string otherVersion, bool conflict)
    {
        var lots = spec.Split(';').Select(entry => entry.Split('='))
            .Select(p => Lot(p[0], int.Parse(p[1], CultureInfo.InvariantCulture), p[0] == "PBX-Floating7" ? "V7" : otherVersion)).ToArray();
        if (conflict)
        {
            var error = DomainAssert.Fails(ErrorCodes.FloatingLicenseConflict, () => Consistency.Check("IP6000", lots));
            Assert.Contains("R-L6", error.Extensions["rule"]);
            DomainAssert.Fails(ErrorCodes.FloatingLicenseConflict, () => Consistency.Check("IP6000", [.. lots.Reverse()]));
        }
        else
        {
            Consistency.Check("IP6000", lots);
        }
    }

    [Fact]
    public void R_L7_the_early_warranty_type_applies_up_to_the_30th_day_after_shipping()
    {
        var shipped = new DateOnly(2031, 6, 1);
        Assert.Equal(WarrantyRules.WarrantyEarly, WarrantyRules.TypeFor(shipped, shipped));
        Assert.Equal(WarrantyRules.WarrantyEarly, WarrantyRules.TypeFor(shipped, shipped.AddDays(30)));
        Assert.Equal(WarrantyRules.Warranty, WarrantyRules.TypeFor(shipped, shipped.AddDays(31)));
        DomainAssert.Fails(ErrorCodes.ConsistencyViolation, () => WarrantyRules.CheckEarlyWindow([WarrantyRules.WarrantyEarly], shipped, shipped.AddDays(31)));
        WarrantyRules.CheckEarlyWindow([WarrantyRules.Warranty], shipped, shipped.AddDays(400));
        DomainAssert.Fails(ErrorCodes.InvalidUnits, () => WarrantyRules.CheckYears(0));
        DomainAssert.Fails(ErrorCodes.InvalidUnits, () => WarrantyRules.CheckYears(5));
    }

    [Fact]
    public void R_L2_an_IP6000_takes_4_Relay_PRI_but_not_5()
    {
        Consistency.Check("IP6000", [Lot("Relay-PRI", 4)]);
        AssertViolation("IP6000", "Relay-PRI=5");
    }

    [Fact]
    public void R_L2_voicemail_must_equal_the_ports_of_one_PBX_Port8x20()
    {
        Consistency.Check("IP6000", [Lot("PBX-Port8*20", 1), Lot("PBX-Voicemail", 20)]);
        AssertViolation("IP6000", "PBX-Port8*20=1;PBX-Voicemail=19");
    }

    public static TheoryData<string, string> EmptyOrNegativeLots => new()
    {
        { "IP6000", "Relay-PRI=0" },
        { "IP6000", "Relay-PRI=-1" },
        { "IP222", "Warranty=0" },
        { "IP222", "Warranty=-1" },
        // the total would be fine (5 - 1 = 4, the IP6000 maximum), but a lot of -1 is not a lot
        { "IP6000", "Relay-PRI=5;Relay-PRI=-1" },
        { "IP6000", "Relay-PRI=4;Relay-PRI=0" },
        { "IP6000", "Relay-PRI=-1;Relay-PRI=5" },
        // a zero lot that the port rules would allow (registrations at most the ports)
        { "IP6000", "PBX-Port8*20=1;PBX-Registration=0" },
        // a negative lot that makes voicemail equal the ports (21 - 1 = 20)
        { "IP6000", "PBX-Port8*20=1;PBX-Voicemail=21;PBX-Voicemail=-1" },
        { "IP6000", "Relay-PRI=" + int.MinValue },
    };

    [Theory]
    [MemberData(nameof(EmptyOrNegativeLots))]
    public void R_L2_a_lot_of_zero_or_fewer_units_is_InvalidUnits_whatever_the_totals(string deviceType, string lots) =>
        DomainAssert.Fails(ErrorCodes.InvalidUnits, () => Consistency.Check(deviceType, Lots(lots)));

    [Fact]
    public void R_L2_a_lot_of_minus_one_cannot_bring_an_IP6000_from_5_Relay_PRI_back_to_4()
    {
        DomainAssert.Fails(ErrorCodes.InvalidUnits, () => Consistency.Check("IP6000", [Lot("Relay-PRI", 5), Lot("Relay-PRI", -1)]));
        DomainAssert.Fails(ErrorCodes.InvalidUnits, () => Consistency.Check("IP6000", [Lot("Relay-PRI", 0)]));
        Consistency.Check("IP6000", [Lot("Relay-PRI", 4)]);
    }

    [Fact]
    public void Unknown_device_type_is_UnknownDeviceType() =>
        DomainAssert.Fails(ErrorCodes.UnknownDeviceType, () => Consistency.Check("IP9999", [Lot("Warranty", 1)]));

    [Fact]
    public void Unknown_license_type_is_UnknownLicenseType() =>
        DomainAssert.Fails(ErrorCodes.UnknownLicenseType, () => Consistency.Check("IP6000", [Lot("Nope", 1)]));

    // ---- CheckVersion ----

    public static TheoryData<string, string, string> Offered => new()
    {
        // version, today, types (comma separated)
        { "V7", "2025-01-01", "PBX-PBX7#15" },
        { "V8", "2025-01-01", "PBX-Port8*20,PBX-Port8,PBX-Voicemail" },
        { "V13", "2025-01-01", "PBX-Port8*20,Relay-PRI,Warranty" },
        { "V5", "2025-01-01", "Relay-PRI,Warranty,Warranty-Early" },
        { "V6", "2025-01-01", "PBX-Voicemail,DECT-Multi-Cell-Ari" },
        // released on "today" counts as released
        { "V13", "2019-06-03", "Relay-PRI" },
        { "V8", "2009-12-07", "PBX-Port8*20" },
        { "V8", "2025-01-01", "" },
    };

    [Theory]
    [MemberData(nameof(Offered))]
    public void R_V1_types_are_offered_within_their_version_range(string version, string today, string types) =>
        Consistency.CheckVersion(version, D(today), types.Split(',', StringSplitOptions.RemoveEmptyEntries));

    public static TheoryData<string, string, string> NotOffered => new()
    {
        // the V7 package exists only in V7
        { "V8", "2025-01-01", "PBX-PBX7#15" },
        { "V6", "2025-01-01", "PBX-PBX7#15" },
        { "V13", "2025-01-01", "PBX-PBX7#15" },
        // the V8 port packages do not exist in V7
        { "V7", "2025-01-01", "PBX-Port8*20" },
        { "V7", "2025-01-01", "PBX-Port8" },
        { "V5", "2025-01-01", "PBX-Voicemail" },
        // one bad type rejects the set
        { "V8", "2025-01-01", "PBX-Port8*20,PBX-PBX7#15" },
        // versions released after today
        { "V13", "2019-06-02", "Relay-PRI" },
        { "V8", "2009-12-06", "PBX-Port8*20" },
        { "V8", "2009-12-06", "" },
        // versions the catalog does not know
        { "V99", "2025-01-01", "Relay-PRI" },
        { "V4", "2025-01-01", "Relay-PRI" },
        { "v8", "2025-01-01", "Relay-PRI" },
        { "", "2025-01-01", "Relay-PRI" },
    };

    [Theory]
    [MemberData(nameof(NotOffered))]
    public void R_V1_types_outside_their_version_range_or_unreleased_versions_are_VersionNotOffered(string version, string today, string types) =>
        DomainAssert.Fails(ErrorCodes.VersionNotOffered, () => Consistency.CheckVersion(version, D(today), types.Split(',', StringSplitOptions.RemoveEmptyEntries)));

    [Fact]
    public void CheckVersion_unknown_type_is_UnknownLicenseType() =>
        DomainAssert.Fails(ErrorCodes.UnknownLicenseType, () => Consistency.CheckVersion("V8", Today, ["Nope"]));
}
