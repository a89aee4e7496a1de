using System.Text.Json;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Domain;

namespace OrleansLicensing.UnitTests;

public sealed class DeviceLicenseAnswerTests
{
    private const string MacText = "00-90-33-0a-1b-2c";

    private static LicenseLot Lot(string type = "PBX-Port8*20", int units = 2, string version = "V8", DateOnly? ssaEnd = null, string? externalKey = null, string source = "Balance") =>
        new(type, units, version, new DateOnly(2010, 1, 1), ssaEnd, externalKey, source);

    private static readonly LicenseLot[] BaseLots = [Lot(), Lot("Relay-PRI", 4)];

    private static string ETag(IReadOnlyList<LicenseLot>? lots = null, string mac = MacText, string version = "V8", DateTimeOffset? testModeUntil = null, DeviceTestLicense? testLicense = null) =>
        DeviceLicenseAnswer.ComputeETag(mac, version, lots ?? BaseLots, testModeUntil, testLicense);

    private static readonly DeviceTestLicense TestLicense = new(new TestLicenseRequest("V11", false, 20), new DateTimeOffset(2025, 1, 1, 10, 0, 0, TimeSpan.Zero), new DateTimeOffset(2025, 4, 1, 10, 0, 0, TimeSpan.Zero), false, 1);

    [Fact]
    public void ETag_is_a_quoted_128_bit_hex_string() =>
        Assert.Matches("^\"[0-9a-f]{32}\"$", ETag());

    [Fact]
    public void ETag_is_stable_for_the_same_content()
    {
        var copy = BaseLots.Select(l => l with { }).ToArray();
        Assert.Equal(ETag(), ETag(copy));
        Assert.Equal(ETag(testModeUntil: new DateTimeOffset(2025, 1, 1, 10, 0, 0, TimeSpan.Zero)), ETag(testModeUntil: new DateTimeOffset(2025, 1, 1, 10, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void ETag_depends_on_the_instant_of_test_mode_not_its_offset() =>
        Assert.Equal(
            ETag(testModeUntil: new DateTimeOffset(2025, 1, 1, 10, 0, 0, TimeSpan.Zero)),
            ETag(testModeUntil: new DateTimeOffset(2025, 1, 1, 12, 0, 0, TimeSpan.FromHours(2))));

    public static TheoryData<string> Changes => new()
    {
        "units", "type", "lotVersion", "bindDate", "ssaEndDate", "addLot", "removeLot", "mac", "version", "testMode", "testLicense", "testLicenseUnits",
    };

    [Theory]
    [MemberData(nameof(Changes))]
    public void ETag_changes_when_the_licensed_content_changes(string what)
    {
        var lots = BaseLots.ToList();
        string mac = MacText, version = "V8";
        DateTimeOffset? testMode = null;
        DeviceTestLicense? testLicense = what == "testLicenseUnits" ? TestLicense : null;
        var before = ETag(lots.ToArray(), mac, version, testMode, testLicense);
        switch (what)
        {
            case "units": lots[0] = lots[0] with { Units = 3 }; break;
            case "type": lots[0] = lots[0] with { Type = "PBX-Port8*100" }; break;
            case "lotVersion": lots[0] = lots[0] with { Version = "V9" }; break;
            case "bindDate": lots[0] = lots[0] with { BindDate = new DateOnly(2010, 1, 2) }; break;
            case "ssaEndDate": lots[0] = lots[0] with { SsaEndDate = new DateOnly(2030, 1, 1) }; break;
            case "addLot": lots.Add(Lot("Warranty", 1)); break;
            case "removeLot": lots.RemoveAt(1); break;
            case "mac": mac = "00-90-33-0a-1b-2d"; break;
            case "version": version = "V9"; break;
            case "testMode": testMode = new DateTimeOffset(2025, 1, 1, 10, 0, 0, TimeSpan.Zero); break;
            case "testLicense": testLicense = TestLicense; break;
            case "testLicenseUnits": testLicense = TestLicense with { License = TestLicense.License with { PbxUnits = 21 } }; break;
        }

        Assert.NotEqual(before, ETag(lots, mac, version, testMode, testLicense));
    }

    [Fact]
    public void ETag_distinguishes_lot_boundaries()
    {
        // Two lots of 1 are not the same answer as one lot of 2 (or an empty list).
        Assert.NotEqual(ETag([Lot(units: 2)]), ETag([Lot(units: 1), Lot(units: 1)]));
        Assert.NotEqual(ETag([]), ETag([Lot()]));
    }

    [Fact]
    public void ETag_changes_when_only_the_external_key_of_a_lot_differs()
    {
        // The DECT ARI is licensed content: a device whose ARI changes must fetch the new answer.
        var ariA = new[] { Lot("DECT-Multi-Cell-Ari", 1, externalKey: "ARI-A"), Lot("Warranty", 1) };
        var ariB = new[] { Lot("DECT-Multi-Cell-Ari", 1, externalKey: "ARI-B"), Lot("Warranty", 1) };

        Assert.NotEqual(ETag(ariA), ETag(ariB));
        Assert.Equal(ETag(ariA), ETag([.. ariA.Select(l => l with { })]));
    }

    [Fact]
    public void ETag_distinguishes_a_lot_with_an_external_key_from_one_without() =>
        Assert.NotEqual(ETag([Lot("DECT-Multi-Cell-Ari", 1)]), ETag([Lot("DECT-Multi-Cell-Ari", 1, externalKey: "ARI-A")]));

    [Fact]
    public void ETag_does_not_depend_on_the_source_of_a_lot() =>
        Assert.Equal(ETag([Lot(source: "Balance")]), ETag([Lot(source: "Migration")]));

    [Theory]
    [InlineData("\"abc\"", true)]
    [InlineData("W/\"abc\"", true)]
    [InlineData("*", true)]
    [InlineData("\"x\", \"abc\"", true)]
    [InlineData("\"x\",\"abc\",\"y\"", true)]
    [InlineData("\"x\", W/\"abc\"", true)]
    [InlineData("  \"abc\"  ", true)]
    [InlineData("\"x\", *", true)]
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData(" ", false)]
    [InlineData(",", false)]
    [InlineData("\"abd\"", false)]
    [InlineData("abc", false)]
    [InlineData("\"ABC\"", false)]
    [InlineData("\"x\", \"y\"", false)]
    [InlineData("w/\"abc\"", false)]
    [InlineData("W/abc", false)]
    [InlineData("\"abc\"x", false)]
    public void Matches_follows_If_None_Match(string? ifNoneMatch, bool expected) =>
        Assert.Equal(expected, DeviceLicenseAnswer.Matches(ifNoneMatch, "\"abc\""));

    [Fact]
    public void Matches_a_computed_etag_only_for_the_same_content()
    {
        Assert.True(DeviceLicenseAnswer.Matches(ETag(), ETag()));
        Assert.True(DeviceLicenseAnswer.Matches("W/" + ETag(), ETag()));
        Assert.False(DeviceLicenseAnswer.Matches(ETag(), ETag([Lot(units: 3)])));
    }

    [Fact]
    public void SPEC4_1_body_has_the_device_license_shape()
    {
        const string document = "<license mac=\"x\"><signature>a+b/c=</signature></license>";
        var lots = new[] { Lot(ssaEnd: new DateOnly(2012, 12, 31)), Lot("Relay-PRI", 4, externalKey: "k") };
        var body = DeviceLicenseAnswer.CreateBody(MacText, lots, null, document);

        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        Assert.Equal(["mac", "licenses", "testModeUntil", "document", "testLicense"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(JsonValueKind.Null, root.GetProperty("testLicense").ValueKind);
        Assert.Equal(MacText, root.GetProperty("mac").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("testModeUntil").ValueKind);
        Assert.Equal(document, root.GetProperty("document").GetString());

        var first = root.GetProperty("licenses")[0];
        Assert.Equal(["type", "units", "version", "bindDate", "ssaEndDate"], first.EnumerateObject().Select(p => p.Name));
        Assert.Equal("PBX-Port8*20", first.GetProperty("type").GetString());
        Assert.Equal(2, first.GetProperty("units").GetInt32());
        Assert.Equal("V8", first.GetProperty("version").GetString());
        Assert.Equal("2010-01-01", first.GetProperty("bindDate").GetString());
        Assert.Equal("2012-12-31", first.GetProperty("ssaEndDate").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("licenses")[1].GetProperty("ssaEndDate").ValueKind);
    }

    [Fact]
    public void R_L8_body_carries_a_valid_test_license_as_the_added_member_testLicense()
    {
        var body = DeviceLicenseAnswer.CreateBody(MacText, BaseLots, null, "<license/>", testLicense: TestLicense);
        using var json = JsonDocument.Parse(body);
        var license = json.RootElement.GetProperty("testLicense");
        Assert.Equal(["version", "slave", "pbxUnits", "validUntil"], license.EnumerateObject().Select(p => p.Name));
        Assert.Equal("V11", license.GetProperty("version").GetString());
        Assert.False(license.GetProperty("slave").GetBoolean());
        Assert.Equal(20, license.GetProperty("pbxUnits").GetInt32());
        Assert.Equal(TestLicense.ValidUntil, license.GetProperty("validUntil").GetDateTimeOffset());
    }

    [Fact]
    public void SPEC4_1_body_writes_externalKey_for_a_lot_that_has_one_and_omits_it_otherwise()
    {
        var lots = new[] { Lot("DECT-Multi-Cell-Ari", 1, externalKey: "ARI-A"), Lot("Warranty", 1) };
        using var json = JsonDocument.Parse(DeviceLicenseAnswer.CreateBody(MacText, lots, null, "<license/>"));

        var withKey = json.RootElement.GetProperty("licenses")[0];
        Assert.Equal(["type", "units", "version", "bindDate", "ssaEndDate", "externalKey"], withKey.EnumerateObject().Select(p => p.Name));
        Assert.Equal("ARI-A", withKey.GetProperty("externalKey").GetString());

        var withoutKey = json.RootElement.GetProperty("licenses")[1];
        Assert.Equal(["type", "units", "version", "bindDate", "ssaEndDate"], withoutKey.EnumerateObject().Select(p => p.Name));
        Assert.False(withoutKey.TryGetProperty("externalKey", out _));
    }

    [Fact]
    public void SPEC4_1_body_carries_test_mode_as_an_instant()
    {
        var until = new DateTimeOffset(2025, 1, 1, 10, 0, 0, TimeSpan.Zero);
        using var json = JsonDocument.Parse(DeviceLicenseAnswer.CreateBody(MacText, [], until, "<license/>"));

        Assert.Equal(until, json.RootElement.GetProperty("testModeUntil").GetDateTimeOffset());
        Assert.Equal(0, json.RootElement.GetProperty("licenses").GetArrayLength());
    }
}
