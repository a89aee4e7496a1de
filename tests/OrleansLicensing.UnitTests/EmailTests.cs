using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Domain;

namespace OrleansLicensing.UnitTests;

public sealed class EmailTests
{
    // 64 + 1 + 189 = 254 characters: the longest address allowed.
    private static readonly string Longest = new string('a', 64) + "@" + string.Concat(Enumerable.Repeat(new string('b', 60) + ".", 3)) + "abcdef";

    [Theory]
    [InlineData("alice@example.com", "alice@example.com")]
    [InlineData("Alice@Example.COM", "alice@example.com")]
    [InlineData("ALICE@EXAMPLE.COM", "alice@example.com")]
    [InlineData("  bob@example.org  ", "bob@example.org")]
    [InlineData("\tBob@Example.org\n", "bob@example.org")]
    [InlineData("First.Last+Tag@Sub.Example.co.uk", "first.last+tag@sub.example.co.uk")]
    [InlineData("o'brien@example.ie", "o'brien@example.ie")]
    [InlineData("a_b-c@ex-ample.com", "a_b-c@ex-ample.com")]
    [InlineData("Alice.Smith+tag@Example.co.uk", "alice.smith+tag@example.co.uk")]
    [InlineData("a.b.c@a-b.c-d.example", "a.b.c@a-b.c-d.example")]
    public void R_F3_addresses_are_trimmed_and_lower_cased(string input, string expected)
    {
        Assert.True(Email.TryNormalize(input, out var canonical));
        Assert.Equal(expected, canonical);
        Assert.Equal(expected, Email.Normalize(input));
    }

    [Theory]
    [InlineData("Alice@Example.com", "alice@EXAMPLE.COM")]
    [InlineData(" ALICE@example.com", "alice@example.com ")]
    public void R_F3_addresses_differing_only_in_case_and_spaces_have_one_canonical_form(string left, string right) =>
        Assert.Equal(Email.Normalize(left), Email.Normalize(right));

    [Fact]
    public void R_F3_normalising_is_idempotent()
    {
        var once = Email.Normalize("  Carol.Smith@Example.NET ");
        Assert.Equal(once, Email.Normalize(once));
    }

    [Fact]
    public void R_F3_an_address_of_254_characters_is_accepted()
    {
        Assert.Equal(254, Longest.Length);
        Assert.Equal(Longest, Email.Normalize(Longest));
    }

    [Fact]
    public void R_F3_an_address_of_255_characters_is_rejected()
    {
        var tooLong = "a" + Longest;
        Assert.Equal(255, tooLong.Length);
        Assert.False(Email.TryNormalize(tooLong, out _));
        DomainAssert.Fails(ErrorCodes.InvalidEmail, () => Email.Normalize(tooLong));
    }

    public static TheoryData<string> Rejected => new()
    {
        "",
        "   ",
        // no @
        "alice.example.com",
        "alice",
        // two @
        "alice@bob@example.com",
        "alice@@example.com",
        // empty local part or domain
        "@example.com",
        "alice@",
        "@",
        // spaces inside
        "ali ce@example.com",
        "alice@exa mple.com",
        "alice @example.com",
        "alice@\texample.com",
        // no dot in the domain, or a dot at its edge
        "alice@localhost",
        "alice@example",
        "alice@.example.com",
        "alice@example.com.",
        // display names and angle brackets are not addresses
        "Alice <alice@example.com>",
        "<alice@example.com>",
        // invisible format characters (zero-width space, soft hyphen, BOM) are not trimmed and not allowed
        "alice@example.com\u200b",
        "\u200balice@example.com",
        "ali\u200bce@example.com",
        "alice@exam\u00adple.com",
        "\ufeffalice@example.com",
        // a dot at the edge of the local part, or two dots in a row
        "alice.@example.com",
        ".alice@example.com",
        "al..ice@example.com",
        // a hyphen at the edge of a domain label, or an empty label
        "alice@-example.com",
        "alice@example-.com",
        "alice@example.-com",
        "alice@sub.example-.com",
        "alice@example..com",
        // other garbage
        "alice@exa(mple.com",
        "alice@[example.com",
    };

    [Theory]
    [MemberData(nameof(Rejected))]
    public void R_F3_malformed_addresses_are_rejected_with_InvalidEmail(string input)
    {
        Assert.False(Email.TryNormalize(input, out var canonical));
        Assert.Equal(string.Empty, canonical);
        DomainAssert.Fails(ErrorCodes.InvalidEmail, () => Email.Normalize(input));
    }

    [Fact]
    public void R_F3_null_is_rejected_with_InvalidEmail()
    {
        Assert.False(Email.TryNormalize(null, out _));
        DomainAssert.Fails(ErrorCodes.InvalidEmail, () => Email.Normalize(null));
    }
}
