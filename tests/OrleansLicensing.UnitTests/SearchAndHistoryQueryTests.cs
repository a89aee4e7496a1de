using System.Collections.Immutable;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Grains;

namespace OrleansLicensing.UnitTests;

/// <summary>The pure parts of search (R-Q1) and history (R-Q2): parsing, matching, periods, cursors.</summary>
public sealed class SearchAndHistoryQueryTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("ab")]
    [InlineData("   ab   ")]
    [InlineData("ab=100")]
    public void R_Q1_fewer_than_three_characters_are_too_short(string? q) =>
        Assert.Equal(ErrorCodes.SearchTooShort, Assert.Throws<LicensingException>(() => SearchQuery.Parse(q, null)).Code);

    [Fact]
    public void R_Q1_keys_alone_need_five_characters_other_kinds_three()
    {
        Assert.Equal(ErrorCodes.SearchTooShort, Assert.Throws<LicensingException>(() => SearchQuery.Parse("abcd", "key")).Code);
        Assert.Equal([SearchKinds.Key], SearchQuery.Parse("abcde", "KEY").Kinds);
        Assert.Equal(SearchKinds.All, SearchQuery.Parse("abc", null).Kinds);
        Assert.Equal(ErrorCodes.ValidationFailed, Assert.Throws<LicensingException>(() => SearchQuery.Parse("abc", "devices")).Code);
        Assert.Equal(ErrorCodes.ValidationFailed, Assert.Throws<LicensingException>(() => SearchQuery.Parse(new string('a', 101), null)).Code);
    }

    [Theory]
    [InlineData("PBX-Port8=100", "PBX-Port8", 100)]
    [InlineData("pbx-port8 = 7", "pbx-port8", 7)]
    [InlineData("PBX-Port8*20=0", "PBX-Port8*20", 0)]
    public void R_Q1_TYPE_equals_N_asks_for_devices_holding_at_least_N(string q, string prefix, int units)
    {
        var query = SearchQuery.Parse(q, null);
        Assert.Equal([SearchKinds.LicenseType], query.Kinds);
        Assert.Equal(prefix, query.LicenseTypePrefix);
        Assert.Equal(units, query.MinUnits);
    }

    [Fact]
    public void R_Q1_an_equals_sign_is_plain_text_when_license_types_are_not_asked_for()
    {
        var query = SearchQuery.Parse("Order=12345", SearchKinds.Key);
        Assert.Equal([SearchKinds.Key], query.Kinds);
        Assert.Equal(1, query.MinUnits);
    }

    [Fact]
    public void R_Q1_a_number_of_units_beyond_int_is_refused() =>
        Assert.Equal(ErrorCodes.ValidationFailed, Assert.Throws<LicensingException>(() => SearchQuery.Parse("PBX-Port8=99999999999", null)).Code);

    [Theory]
    [InlineData("00-90-33-0A", "0090330a")]
    [InlineData("33:0a:1b", "330a1b")]
    [InlineData("0A1B2C", "0a1b2c")]
    [InlineData("PBX-Port8", null)]
    public void R_Q1_mac_text_in_any_form_becomes_hex_digits(string q, string? digits) =>
        Assert.Equal(digits, SearchQuery.Parse(q, null).MacDigits);

    [Fact]
    public void R_Q1_the_index_matches_each_kind_and_sums_units_of_types_with_the_prefix()
    {
        DeviceEntry Device(string mac, string? name, params (string Type, int Units)[] lots) => new(
            mac, mac.Replace("-", string.Empty, StringComparison.Ordinal), "p1", name, null,
            lots.ToImmutableSortedDictionary(l => l.Type, l => l.Units, StringComparer.Ordinal));

        DeviceEntry[] devices =
        [
            Device("00-90-33-0a-1b-2c", "Reception", ("PBX-Port8", 60), ("PBX-Port8*20", 50)),
            Device("00-90-33-ff-00-01", null, ("PBX-Port8", 99)),
            Device("00-90-33-ff-00-02", "Port8 lab", ("PBX-Voicemail", 3)),
        ];
        ProjectView[] projects = [new("p1", "c", "Harbour", "reception desk", null)];
        ActivationKeyView[] keys = [new("ABCDE-FGHIJ", ImmutableSortedDictionary<string, int>.Empty, null, null, null, null, null, "c", "p1") { OwnComment = "for Reception" }];

        SearchResult Run(string q, string? kind = null) => SearchIndexGrain.Search(SearchQuery.Parse(q, kind), devices, projects, keys);

        var reception = Run("reception");
        Assert.Equal(["00-90-33-0a-1b-2c"], reception.Devices.Select(d => d.Mac));
        Assert.Equal("name", reception.Devices[0].MatchedBy);
        Assert.Single(reception.Projects);
        Assert.Single(reception.Keys);

        Assert.Equal(["00-90-33-0a-1b-2c"], Run("PBX-Port8=100").Devices.Select(d => d.Mac));
        Assert.Equal(["00-90-33-0a-1b-2c", "00-90-33-ff-00-01"], Run("PBX-Port8=99").Devices.Select(d => d.Mac));
        Assert.Equal(["00-90-33-0a-1b-2c", "00-90-33-ff-00-01"], Run("pbx-port8").Devices.Select(d => d.Mac));
        Assert.Equal(SearchKinds.LicenseType, Run("pbx-port8").Devices[0].MatchedBy);

        // A type matches by its beginning only; "port8" is in a device's name.
        Assert.Equal(["00-90-33-ff-00-02"], Run("port8").Devices.Select(d => d.Mac));
        Assert.Equal("mac", Run("ff:00:02").Devices.Single().MatchedBy);
        Assert.Equal(["ABCDE-FGHIJ"], Run("defgh", "key").Keys.Select(k => k.Key));
        Assert.Empty(Run("rec").Keys);
        Assert.Empty(Run("reception", "project").Devices);
    }

    [Fact]
    public void R_Q1_each_list_is_capped_and_says_so()
    {
        var devices = Enumerable.Range(0, ISearchIndexGrain.MaxHits + 5).Select(i =>
        {
            var mac = Mac.FromSuffix(i).ToString();
            return new DeviceEntry(mac, mac.Replace("-", string.Empty, StringComparison.Ordinal), null, "same name", null, ImmutableSortedDictionary<string, int>.Empty);
        }).ToArray();
        var result = SearchIndexGrain.Search(SearchQuery.Parse("same", null), devices, [], []);
        Assert.Equal(ISearchIndexGrain.MaxHits, result.Devices.Length);
        Assert.True(result.Truncated);
    }

    [Fact]
    public void R_Q2_periods_count_back_from_now_in_calendar_terms()
    {
        var now = new DateTimeOffset(2024, 3, 31, 12, 0, 0, TimeSpan.Zero);
        Assert.Equal(now.AddDays(-1), HistoryPeriods.Start("day", now));
        Assert.Equal(now.AddDays(-7), HistoryPeriods.Start("WEEK", now));
        Assert.Equal(new DateTimeOffset(2024, 2, 29, 12, 0, 0, TimeSpan.Zero), HistoryPeriods.Start("month", now));
        Assert.Equal(new DateTimeOffset(2023, 3, 31, 12, 0, 0, TimeSpan.Zero), HistoryPeriods.Start("year", now));
        Assert.Null(HistoryPeriods.Start("always", now));
        Assert.Null(HistoryPeriods.Start(null, now));
        Assert.Equal(ErrorCodes.ValidationFailed, Assert.Throws<LicensingException>(() => HistoryPeriods.Start("fortnight", now)).Code);
    }

    [Fact]
    public void R_Q2_a_cursor_round_trips_and_anything_else_is_refused()
    {
        var positions = new Dictionary<string, long> { ["company-a"] = 1234, ["account:x@example.com"] = 0, ["b=c"] = long.MaxValue };
        Assert.Equal(positions.OrderBy(p => p.Key), HistoryCursor.Decode(HistoryCursor.Encode(positions)).OrderBy(p => p.Key));

        foreach (var bad in new[] { string.Empty, "!!!", "eA", Convert.ToBase64String("a=-1"u8), Convert.ToBase64String("a=1\na=2"u8), new string('A', 5000) })
        {
            Assert.Equal(ErrorCodes.ValidationFailed, Assert.Throws<LicensingException>(() => HistoryCursor.Decode(bad)).Code);
        }
    }

    [Fact]
    public void R_Q2_a_filter_matches_project_user_case_insensitively_device_and_time()
    {
        var at = DateTimeOffset.UnixEpoch.AddYears(50);
        var e = new HistoryEvent("1", at, "c", "p", "Someone@Example.com", "00-90-33-00-00-01", HistoryActions.LicensesAdded, ImmutableSortedDictionary<string, string>.Empty);
        Assert.True(HistoryFilter.All.Matches(e));
        Assert.True(new HistoryFilter("p", "someone@example.com", "00-90-33-00-00-01", at).Matches(e));
        Assert.False(new HistoryFilter("q", null, null, null).Matches(e));
        Assert.False(new HistoryFilter(null, "other@example.com", null, null).Matches(e));
        Assert.False(new HistoryFilter(null, null, "00-90-33-00-00-02", null).Matches(e));
        Assert.False(new HistoryFilter(null, null, null, at.AddTicks(1)).Matches(e));
    }
}
