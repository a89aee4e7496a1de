using OrleansLicensing.Grains.Domain;

namespace OrleansLicensing.UnitTests;

public sealed class PasswordHasherTests
{
    private const string Password = "correct horse battery staple";

    // Hashing is deliberately slow; share one hash across the tests of this class.
    private static readonly Lazy<string> Stored = new(() => PasswordHasher.Hash(Password));

    [Fact]
    public void R_U5_the_right_password_verifies() =>
        Assert.True(PasswordHasher.Verify(Password, Stored.Value));

    [Theory]
    [InlineData("")]
    [InlineData("correct horse battery stapl")]
    [InlineData("correct horse battery staple ")]
    [InlineData("Correct horse battery staple")]
    [InlineData("wrong password")]
    public void R_U5_a_wrong_password_does_not_verify(string attempt) =>
        Assert.False(PasswordHasher.Verify(attempt, Stored.Value));

    [Fact]
    public void R_U5_the_password_is_not_stored_in_clear() =>
        Assert.DoesNotContain(Password, Stored.Value, StringComparison.Ordinal);

    [Fact]
    public void R_U5_hashes_are_salted_so_the_same_password_hashes_differently()
    {
        var other = PasswordHasher.Hash(Password);

        Assert.NotEqual(Stored.Value, other);
        Assert.NotEqual(Stored.Value.Split('$')[2], other.Split('$')[2]);
        Assert.True(PasswordHasher.Verify(Password, other));
    }

    [Fact]
    public void R_U5_stored_form_names_the_scheme_and_its_parameters()
    {
        var parts = Stored.Value.Split('$');
        Assert.Equal(4, parts.Length);
        Assert.Equal("pbkdf2-sha256", parts[0]);
        Assert.True(int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) >= 100_000);
        Assert.Equal(16, Convert.FromBase64String(parts[2]).Length);
        Assert.Equal(32, Convert.FromBase64String(parts[3]).Length);
    }

    [Fact]
    public void Unicode_passwords_round_trip()
    {
        const string unicode = "pässwörd-密码-🔑";
        var stored = PasswordHasher.Hash(unicode);
        Assert.True(PasswordHasher.Verify(unicode, stored));
        Assert.False(PasswordHasher.Verify("passwort-密码-🔑", stored));
    }

    public static TheoryData<string> Tamperings => new()
    {
        "hash",       // a different (valid base64) hash
        "salt",       // a different (valid base64) salt
        "iterations", // fewer iterations
        "scheme",     // another scheme name
        "extra",      // a fifth part
        "missing",    // only three parts
    };

    [Theory]
    [MemberData(nameof(Tamperings))]
    public void R_U5_a_tampered_stored_hash_does_not_verify(string what)
    {
        var parts = Stored.Value.Split('$');
        switch (what)
        {
            case "hash":
                parts[3] = Flip(parts[3]);
                break;
            case "salt":
                parts[2] = Flip(parts[2]);
                break;
            case "iterations":
                parts[1] = "99999";
                break;
            case "scheme":
                parts[0] = "pbkdf2-sha512";
                break;
            case "extra":
                parts = [.. parts, "x"];
                break;
            case "missing":
                parts = parts[..3];
                break;
        }

        Assert.False(PasswordHasher.Verify(Password, string.Join('$', parts)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a hash")]
    [InlineData("$$$")]
    [InlineData("pbkdf2-sha256$-1$AAAA$AAAA")]
    [InlineData("pbkdf2-sha256$abc$AAAA$AAAA")]
    public void Garbage_stored_strings_do_not_verify(string stored) =>
        Assert.False(PasswordHasher.Verify(Password, stored));

    /// <summary>Changes the first byte of a base64 value, keeping it valid base64 of the same length.</summary>
    private static string Flip(string base64)
    {
        var bytes = Convert.FromBase64String(base64);
        bytes[0] ^= 0x01;
        return Convert.ToBase64String(bytes);
    }
}
