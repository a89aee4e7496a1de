using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using OrleansLicensing.Contracts;
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
        Assert.True(int.Parse(parts[1], CultureInfo.InvariantCulture) >= 100_000);
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

    // ---- stored values that are not exactly what Hash writes: false, never an exception ----

    [Theory]
    [InlineData("pbkdf2-sha256$100000$AAAA$")]        // empty hash part
    [InlineData("pbkdf2-sha256$100000$!!!!$AAAA")]    // salt is not base64
    [InlineData("pbkdf2-sha256$100000$AAAA$!!!!")]    // hash is not base64
    [InlineData("pbkdf2-sha256$100000$AAA$AAAA")]     // salt of invalid base64 length
    [InlineData("pbkdf2-sha256$0$AAAA$AAAA")]         // zero iterations
    [InlineData("pbkdf2-sha256$$AAAA$AAAA")]          // no iterations
    [InlineData("pbkdf2-sha256$100000$$AAAA")]        // empty salt part
    public void R_U5_malformed_stored_values_do_not_verify_and_do_not_throw(string stored) =>
        Assert.False(PasswordHasher.Verify(Password, stored));

    public static TheoryData<string> MalformedParts => new()
    {
        "emptyHash", "badBase64Salt", "badBase64Hash", "zeroIterations",
    };

    /// <summary>The same damage as above, applied to an otherwise genuine stored hash.</summary>
    [Theory]
    [MemberData(nameof(MalformedParts))]
    public void R_U5_a_genuine_hash_with_one_malformed_part_does_not_verify_and_does_not_throw(string what)
    {
        var parts = Stored.Value.Split('$');
        switch (what)
        {
            case "emptyHash": parts[3] = string.Empty; break;
            case "badBase64Salt": parts[2] = "!!!!" + parts[2][4..]; break;
            case "badBase64Hash": parts[3] = "!!!!" + parts[3][4..]; break;
            case "zeroIterations": parts[1] = "0"; break;
        }

        Assert.False(PasswordHasher.Verify(Password, string.Join('$', parts)));
    }

    /// <summary>
    /// An iteration count far above the maximum is refused before any hashing: a damaged or
    /// hostile stored value must not tie up a thread (10^9 PBKDF2 rounds take many minutes).
    /// </summary>
    [Theory(Timeout = 30_000)]
    [InlineData("pbkdf2-sha256$999999999$AAAA$AAAA")]
    [InlineData("genuine")]
    public async Task R_U5_an_iteration_count_above_the_maximum_is_refused_without_hashing(string stored)
    {
        if (stored == "genuine")
        {
            var parts = Stored.Value.Split('$');
            parts[1] = "999999999";
            stored = string.Join('$', parts);
        }

        Assert.False(await Task.Run(() => PasswordHasher.Verify(Password, stored), TestContext.Current.CancellationToken));
    }

    // The cases below are forged with the right password, so a Verify that only compared
    // hashes (deriving with whatever parameters the stored value names) would accept them.

    [Fact]
    public void Forge_matches_the_format_of_Hash()
    {
        // Control for the tests below: a forged value with Hash's own parameters verifies.
        Assert.True(PasswordHasher.Verify(Password, Forge(iterations: 100_000, saltBytes: 16, hashBytes: 32)));
    }

    [Theory]
    [InlineData(10_000)]
    [InlineData(1_000_000)]
    public void R_U5_iteration_counts_from_10000_to_1000000_are_accepted(int iterations) =>
        Assert.True(PasswordHasher.Verify(Password, Forge(iterations: iterations)));

    [Theory]
    [InlineData(1)]
    [InlineData(1_000)]
    [InlineData(9_999)]
    [InlineData(1_000_001)]
    public void R_U5_iteration_counts_outside_10000_to_1000000_do_not_verify_even_with_the_right_password(int iterations) =>
        Assert.False(PasswordHasher.Verify(Password, Forge(iterations: iterations)));

    [Theory]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(32)]
    public void R_U5_salts_of_16_bytes_or_more_are_accepted(int saltBytes) =>
        Assert.True(PasswordHasher.Verify(Password, Forge(saltBytes: saltBytes)));

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    [InlineData(15)]
    public void R_U5_a_salt_shorter_than_16_bytes_does_not_verify_even_with_the_right_password(int saltBytes) =>
        Assert.False(PasswordHasher.Verify(Password, Forge(saltBytes: saltBytes)));

    [Theory]
    [InlineData(1)]
    [InlineData(16)]
    [InlineData(31)]
    [InlineData(33)]
    [InlineData(64)]
    public void R_U5_a_hash_that_is_not_exactly_32_bytes_does_not_verify_even_with_the_right_password(int hashBytes) =>
        Assert.False(PasswordHasher.Verify(Password, Forge(hashBytes: hashBytes)));

    [Fact]
    public void R_U5_a_salt_without_base64_padding_does_not_verify()
    {
        var parts = Forge().Split('$');
        parts[2] = parts[2].TrimEnd('=');
        Assert.False(PasswordHasher.Verify(Password, string.Join('$', parts)));
    }

    /// <summary>A stored value in Hash's format, derived from the right password with the given parameters.</summary>
    private static string Forge(int iterations = 100_000, int saltBytes = 16, int hashBytes = 32)
    {
        var salt = new byte[saltBytes];
        for (var i = 0; i < salt.Length; i++)
        {
            salt[i] = (byte)(i * 7 + 3);
        }

        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(Password), salt, iterations, HashAlgorithmName.SHA256, hashBytes);
        return string.Join('$', "pbkdf2-sha256", iterations.ToString(CultureInfo.InvariantCulture), Convert.ToBase64String(salt), Convert.ToBase64String(hash));
    }

    /// <summary>Changes the first byte of a base64 value, keeping it valid base64 of the same length.</summary>
    private static string Flip(string base64)
    {
        var bytes = Convert.FromBase64String(base64);
        bytes[0] ^= 0x01;
        return Convert.ToBase64String(bytes);
    }
}
