using FsCheck;
using FsCheck.Fluent;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Domain;

namespace OrleansLicensing.UnitTests;

public sealed class MacTests
{
    private const string Canonical = "00-90-33-0a-1b-2c";

    [Theory]
    [InlineData("00-90-33-0a-1b-2c")]
    [InlineData("00:90:33:0A:1B:2C")]
    [InlineData("0090330a1b2c")]
    [InlineData("0a1b2c")]
    [InlineData("  0A1B2C  ")]
    public void R_F1_accepted_forms_normalise_to_lower_case_dashes(string input)
    {
        Assert.True(Mac.TryParse(input, out var mac));
        Assert.Equal("00-90-33-0a-1b-2c", mac.ToString());
    }

    public static TheoryData<string> AcceptedForms => new()
    {
        // dashes
        "00-90-33-0a-1b-2c",
        "00-90-33-0A-1B-2C",
        "00-90-33-0a-1B-2c",
        // colons
        "00:90:33:0a:1b:2c",
        "00:90:33:0A:1B:2C",
        "00:90:33:0a:1B:2C",
        // twelve hex digits
        "0090330a1b2c",
        "0090330A1B2C",
        "0090330a1B2C",
        // six hex digits: the vendor prefix is added
        "0a1b2c",
        "0A1B2C",
        "0a1B2c",
        // surrounding white space
        " 00-90-33-0a-1b-2c",
        "00:90:33:0a:1b:2c ",
        "  0090330A1B2C  ",
        "\t0a1b2c\n",
    };

    [Theory]
    [MemberData(nameof(AcceptedForms))]
    public void R_F1_every_accepted_form_has_the_canonical_lower_case_dashed_text(string input)
    {
        Assert.True(Mac.TryParse(input, out var mac));
        Assert.Equal(Canonical, mac.ToString());
        Assert.Equal(Canonical, Mac.Parse(input).ToString());
        Assert.Equal(0x0A1B2C, mac.Suffix);
    }

    [Theory]
    [InlineData("0a1b2c", "00-90-33-0a-1b-2c")]
    [InlineData("0A1B2C", "00-90-33-0a-1b-2c")]
    [InlineData("000000", "00-90-33-00-00-00")]
    [InlineData("FfFfFf", "00-90-33-ff-ff-ff")]
    [InlineData("009033", "00-90-33-00-90-33")]
    public void R_F1_six_hex_digits_get_the_vendor_prefix(string input, string expected)
    {
        Assert.Equal(expected, Mac.Parse(input).ToString());
        Assert.StartsWith(Mac.VendorPrefix + "-", expected, StringComparison.Ordinal);
    }

    [Fact]
    public void R_F1_forms_of_the_same_address_are_equal_values()
    {
        Assert.Equal(Mac.Parse("0a1b2c"), Mac.Parse("00:90:33:0A:1B:2C"));
        Assert.Equal(Mac.FromSuffix(0x0A1B2C), Mac.Parse("0090330a1b2c"));
        Assert.NotEqual(Mac.Parse("0a1b2c"), Mac.Parse("0a1b2d"));
    }

    public static TheoryData<string> RejectedInputs => new()
    {
        "",
        " ",
        "      ",
        // wrong number of hex digits: 5, 7, 11, 13
        "0a1b2",
        "0a1b2c3",
        "0090330a1b2",
        "0090330a1b2c3",
        // wrong number of groups
        "00-90-33-0a-1b",
        "00-90-33-0a-1b-2c-3d",
        // non-hex characters
        "0a1b2g",
        "0090330a1b2g",
        "00-90-33-0a-1b-2g",
        "00:90:33:0a:1g:2c",
        "0x0a1b",
        "+0a1b2c",
        // mixed separators
        "00-90:33-0a-1b-2c",
        "00:90:33:0a:1b-2c",
        // wrong separator positions
        "0-090-33-0a-1b-2c",
        "00-90-33-0a1-b-2c",
        "00-9033-0a-1b-2c-",
        "-00-90-33-0a-1b-2c",
        // other separators
        "00.90.33.0a.1b.2c",
        "0090.330a.1b2c",
        "00 90 33 0a 1b 2c",
        "00_90_33_0a_1b_2c",
        // inner white space
        "0a 1b2c",
        "009033 0a1b2c",
        // addresses outside the vendor's block
        "11-22-33-44-55-66",
        "11:22:33:44:55:66",
        "001122334455",
        "00-90-34-0a-1b-2c",
        "0190330a1b2c",
        // trailing garbage
        "00-90-33-0a-1b-2cx",
        "00-90-33-0a-1b-2c-",
        "0a1b2c!",
        "0090330a1b2c;",
        "0a1b2c 0a1b2d",
    };

    [Theory]
    [MemberData(nameof(RejectedInputs))]
    public void R_F1_malformed_or_foreign_input_is_rejected_with_InvalidMac(string input)
    {
        Assert.False(Mac.TryParse(input, out var mac));
        Assert.Equal(default, mac);
        DomainAssert.Fails(ErrorCodes.InvalidMac, () => Mac.Parse(input));
    }

    [Fact]
    public void R_F1_null_is_rejected_with_InvalidMac()
    {
        Assert.False(Mac.TryParse(null, out _));
        DomainAssert.Fails(ErrorCodes.InvalidMac, () => Mac.Parse(null));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(0x1000000)]
    [InlineData(int.MinValue)]
    [InlineData(int.MaxValue)]
    public void FromSuffix_outside_24_bits_throws(int suffix) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Mac.FromSuffix(suffix));

    [Theory]
    [InlineData(0, "00-90-33-00-00-00")]
    [InlineData(0xFFFFFF, "00-90-33-ff-ff-ff")]
    [InlineData(0x0A1B2C, "00-90-33-0a-1b-2c")]
    [InlineData(0x000100, "00-90-33-00-01-00")]
    public void FromSuffix_formats_the_vendor_block_canonically(int suffix, string expected)
    {
        var mac = Mac.FromSuffix(suffix);
        Assert.Equal(expected, mac.ToString());
        Assert.Equal(suffix, mac.Suffix);
        Assert.Equal((0x009033L << 24) | (uint)suffix, mac.Value);
    }

    // ---- R-F2: ranges ----

    [Theory]
    [InlineData(0x000010, 0x000010, 1)]
    [InlineData(0x000010, 0x000011, 2)]
    [InlineData(0x0000FF, 0x000100, 2)]
    [InlineData(0x000000, 0x000031, 50)]
    [InlineData(0xFFFFCE, 0xFFFFFF, 50)]
    public void R_F2_range_is_inclusive_ordered_and_counts_every_address(int from, int to, int expectedCount)
    {
        var range = Mac.Range(Mac.FromSuffix(from), Mac.FromSuffix(to), 50);

        Assert.Equal(expectedCount, range.Count);
        Assert.Equal(Mac.FromSuffix(from), range[0]);
        Assert.Equal(Mac.FromSuffix(to), range[^1]);
        for (var i = 1; i < range.Count; i++)
        {
            Assert.Equal(range[i - 1].Value + 1, range[i].Value);
        }
    }

    [Fact]
    public void R_F2_range_from_equal_to_yields_exactly_that_device()
    {
        var mac = Mac.Parse("0a1b2c");
        Assert.Equal([mac], Mac.Range(mac, mac, 50));
    }

    [Fact]
    public void R_F2_range_of_50_is_allowed()
    {
        var range = Mac.Range(Mac.Parse("00-90-33-00-00-01"), Mac.Parse("00-90-33-00-00-32"), 50);
        Assert.Equal(50, range.Count);
        Assert.Equal("00-90-33-00-00-32", range[^1].ToString());
    }

    [Theory]
    [InlineData(0x000001, 0x000033)] // 51
    [InlineData(0x000000, 0x000100)] // 257
    [InlineData(0x000000, 0xFFFFFF)] // the whole block
    public void R_F2_range_above_50_fails_with_TooManyDevices(int from, int to) =>
        DomainAssert.Fails(ErrorCodes.TooManyDevices, () => Mac.Range(Mac.FromSuffix(from), Mac.FromSuffix(to), 50));

    [Theory]
    [InlineData(0x000002, 0x000001)]
    [InlineData(0x000100, 0x0000FF)]
    [InlineData(0xFFFFFF, 0x000000)]
    public void R_F2_reversed_range_fails_with_ValidationFailed(int from, int to) =>
        DomainAssert.Fails(ErrorCodes.ValidationFailed, () => Mac.Range(Mac.FromSuffix(from), Mac.FromSuffix(to), 50));

    // ---- properties ----

    private static Arbitrary<int> Suffixes => Gen.Choose(0, 0xFFFFFF).ToArbitrary();

    private static IEnumerable<string> TextualForms(int suffix)
    {
        var lower = suffix.ToString("x6", System.Globalization.CultureInfo.InvariantCulture);
        var upper = lower.ToUpperInvariant();
        var mixed = string.Concat(lower.Select((c, i) => i % 2 == 0 ? char.ToUpperInvariant(c) : c));
        foreach (var hex in new[] { lower, upper, mixed })
        {
            var pairs = $"{hex[..2]}-{hex[2..4]}-{hex[4..]}";
            yield return "00-90-33-" + pairs;
            yield return ("00-90-33-" + pairs).Replace('-', ':');
            yield return "009033" + hex;
            yield return hex;
            yield return "  " + hex + " ";
            yield return " 00:90:33:" + pairs.Replace('-', ':') + "\t";
        }
    }

    [FsCheck.Xunit.Property]
    public Property R_F1_every_textual_form_of_any_suffix_parses_to_the_same_mac() =>
        Prop.ForAll(Suffixes, suffix =>
        {
            var expected = Mac.FromSuffix(suffix);
            return TextualForms(suffix).All(form => Mac.TryParse(form, out var mac) && mac == expected);
        });

    [FsCheck.Xunit.Property]
    public Property R_F1_normalising_is_idempotent() =>
        Prop.ForAll(Suffixes, suffix =>
        {
            var mac = Mac.FromSuffix(suffix);
            var text = mac.ToString();
            var reparsed = Mac.Parse(text);
            return reparsed == mac
                && reparsed.ToString() == text
                && Mac.Parse(reparsed.ToString()).ToString() == text
                && text == text.ToLowerInvariant()
                && text.Length == 17;
        });
}
