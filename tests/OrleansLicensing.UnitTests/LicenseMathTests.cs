using System.Collections.Immutable;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Domain;

namespace OrleansLicensing.UnitTests;

public sealed class LicenseMathTests
{
    /// <summary>Parses "A=1;B=2" into a sorted map ("" is the empty map).</summary>
    private static ImmutableSortedDictionary<string, int> Map(string spec) =>
        ImmutableSortedDictionary.CreateRange(
            StringComparer.Ordinal,
            spec.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(entry =>
            {
                var parts = entry.Split('=');
                return KeyValuePair.Create(parts[0], int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
            }));

    private static string Text(IReadOnlyDictionary<string, int> map) =>
        string.Join(';', map.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));

    [Theory]
    [InlineData("", "", "")]
    [InlineData("", "A=1", "A=1")]
    [InlineData("A=1", "", "A=1")]
    [InlineData("A=1", "A=2", "A=3")]
    [InlineData("A=1", "B=2", "A=1;B=2")]
    [InlineData("A=1;B=2", "B=3;C=4", "A=1;B=5;C=4")]
    [InlineData("A=5;B=2", "A=-5", "B=2")]
    [InlineData("A=5", "A=-2", "A=3")]
    [InlineData("A=5", "B=0", "A=5")]
    [InlineData("A=5", "A=0", "A=5")]
    public void Add_sums_per_type_and_drops_zero_entries(string left, string right, string expected) =>
        Assert.Equal(expected, Text(LicenseMath.Add(Map(left), Map(right))));

    [Fact]
    public void Add_never_keeps_a_zero_entry()
    {
        var sum = LicenseMath.Add(Map("A=3;B=1"), Map("A=-3;C=0"));
        Assert.False(sum.ContainsKey("A"));
        Assert.False(sum.ContainsKey("C"));
        Assert.Equal(["B"], sum.Keys);
    }

    [Fact]
    public void Add_leaves_its_inputs_unchanged()
    {
        var left = Map("A=1");
        _ = LicenseMath.Add(left, Map("A=2;B=1"));
        Assert.Equal("A=1", Text(left));
    }

    [Theory]
    [InlineData("", "A=-4")]
    [InlineData("", "A=-1")]
    [InlineData("A=3", "A=-4")]
    [InlineData("A=3;B=1", "A=-3;B=-2")]
    [InlineData("A=3", "B=-1")]
    public void R_P5_Add_throws_when_an_amount_would_become_negative(string left, string right) =>
        Assert.Throws<InvalidOperationException>(() => LicenseMath.Add(Map(left), Map(right)));

    [Fact]
    public void R_P5_Add_of_a_negative_amount_to_the_empty_map_throws() =>
        Assert.Throws<InvalidOperationException>(() => LicenseMath.Add(LicenseMath.Empty, Map("A=-4")));

    [Fact]
    public void Add_overflow_throws_instead_of_wrapping() =>
        Assert.Throws<OverflowException>(() => LicenseMath.Add(Map($"A={int.MaxValue}"), Map("A=1")));

    [Theory]
    [InlineData("A=3", "", "A=3")]
    [InlineData("A=3", "A=1", "A=2")]
    [InlineData("A=3", "A=3", "")]
    [InlineData("A=3;B=2", "A=3;B=1", "B=1")]
    [InlineData("A=3;B=2", "A=3;B=2", "")]
    [InlineData("A=3", "B=0", "A=3")]
    [InlineData("", "", "")]
    public void Subtract_takes_per_type_and_drops_zero_entries(string left, string right, string expected) =>
        Assert.Equal(expected, Text(LicenseMath.Subtract(Map(left), Map(right))));

    [Theory]
    [InlineData("A=3", "A=4")]
    [InlineData("A=3", "B=1")]
    [InlineData("", "A=1")]
    [InlineData("A=3;B=1", "A=1;B=2")]
    public void Subtract_below_zero_throws(string left, string right) =>
        Assert.Throws<InvalidOperationException>(() => LicenseMath.Subtract(Map(left), Map(right)));

    [Theory]
    [InlineData("A=3", "A=-1")]
    [InlineData("", "A=-1")]
    [InlineData("A=3", "B=-2")]
    [InlineData("A=3;B=2", "A=1;B=-1")]
    public void R_P5_Subtract_of_a_negative_amount_throws(string left, string right) =>
        Assert.Throws<InvalidOperationException>(() => LicenseMath.Subtract(Map(left), Map(right)));

    [Fact]
    public void Subtract_leaves_its_inputs_unchanged()
    {
        var left = Map("A=3;B=1");
        _ = LicenseMath.Subtract(left, Map("A=3"));
        Assert.Equal("A=3;B=1", Text(left));
    }

    [Theory]
    [InlineData("A=5;B=1", "A=3", "A=3")]
    [InlineData("A=2", "A=3", "A=2")]
    [InlineData("A=2", "B=3", "")]
    [InlineData("A=2;B=7;C=1", "A=5;B=3;D=4", "A=2;B=3")]
    [InlineData("", "A=1", "")]
    [InlineData("A=2", "", "")]
    [InlineData("A=2", "A=0", "")]
    [InlineData("A=2", "A=-1", "")]
    public void Cover_gives_for_each_wanted_type_what_is_available(string available, string wanted, string expected) =>
        Assert.Equal(expected, Text(LicenseMath.Cover(Map(available), Map(wanted))));

    [Fact]
    public void Cover_then_subtract_never_goes_negative()
    {
        var available = Map("A=2;B=7");
        var taken = LicenseMath.Cover(available, Map("A=5;B=3;C=1"));
        Assert.Equal("A=2;B=3", Text(taken));
        Assert.Equal("B=4", Text(LicenseMath.Subtract(available, taken)));
    }

    [Theory]
    [InlineData(new[] { "A", "B", "A" }, new[] { 1, 2, 3 }, "A=4;B=2")]
    [InlineData(new string[0], new int[0], "")]
    public void ToMap_sums_repeated_types(string[] types, int[] units, string expected) =>
        Assert.Equal(expected, Text(LicenseMath.ToMap(types.Zip(units, KeyValuePair.Create))));

    [Fact]
    public void Maps_are_ordered_ordinally()
    {
        var sum = LicenseMath.Add(LicenseMath.Empty, Map("b=1;B=1;a=1;A=1"));
        Assert.Equal(["A", "B", "a", "b"], sum.Keys);
    }
}
