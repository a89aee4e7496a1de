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
    private static readonly Lazy<string> Stored = new(() => PasswordHasher.Hash(Password, PasswordHasher.MinConfigurableIterations));

    /// <summary>A hash of the format written before issue 13 (<c>pbkdf2-sha256$iterations$salt$hash</c>): it still verifies, and asks for a rehash.</summary>
    private static readonly Lazy<string> LegacyStored = new(() => Forge());

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
        var other = PasswordHasher.Hash(Password, PasswordHasher.MinConfigurableIterations);

        Assert.NotEqual(Stored.Value, other);
        Assert.NotEqual(Convert.FromBase64String(Stored.Value)[13..29], Convert.FromBase64String(other)[13..29]);
        Assert.True(PasswordHasher.Verify(Password, other));
    }

    [Fact]
    public void R_U5_new_hashes_are_Identity_V3_PBKDF2_SHA512_with_600000_rounds_by_default()
    {
        var stored = Convert.FromBase64String(PasswordHasher.Hash(Password));
        Assert.Equal(0x01, stored[0]);
        Assert.Equal(2u, System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(stored.AsSpan(1)));   // HMACSHA512
        Assert.Equal(600_000u, System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(stored.AsSpan(5)));
        Assert.Equal(16u, System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(stored.AsSpan(9)));
        Assert.Equal(13 + 16 + 32, stored.Length);
    }

    [Fact]
    public void R_U5_a_hash_of_the_old_format_or_with_fewer_rounds_verifies_and_asks_for_a_rehash()
    {
        Assert.Equal(PasswordCheck.VerifiedRehashNeeded, PasswordHasher.Check(Password, LegacyStored.Value));
        Assert.Equal(PasswordCheck.VerifiedRehashNeeded, PasswordHasher.Check(Password, Stored.Value, iterations: 200_000));
        Assert.Equal(PasswordCheck.Verified, PasswordHasher.Check(Password, Stored.Value, iterations: PasswordHasher.MinConfigurableIterations));
        Assert.Equal(PasswordCheck.Failed, PasswordHasher.Check("wrong password", LegacyStored.Value));
        Assert.Equal(PasswordCheck.Failed, PasswordHasher.CheckWithoutAccount(Password, PasswordHasher.MinConfigurableIterations));
    }

    [Theory]
    [InlineData(1u)]
    [InlineData(9_999u)]
    [InlineData(999_999_999u)]
    public void R_U5_a_V3_hash_naming_too_few_or_too_many_rounds_is_refused_without_hashing(uint rounds)
    {
        var stored = Convert.FromBase64String(Stored.Value);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(stored.AsSpan(5), rounds);
        Assert.Equal(PasswordCheck.Failed, PasswordHasher.Check(Password, Convert.ToBase64String(stored)));
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
        var parts = LegacyStored.Value.Split('$');
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
        var parts = LegacyStored.Value.Split('$');
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
            var parts = LegacyStored.Value.Split('$');
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

public sealed class LoginBackoffTests
{
    private static readonly LoginBackoff Policy = new(FreeFailures: 3, BaseDelay: TimeSpan.FromSeconds(1), MaxDelay: TimeSpan.FromMinutes(15));

    [Theory]
    [InlineData(0, 0)]
    [InlineData(3, 0)]
    [InlineData(4, 1)]
    [InlineData(5, 2)]
    [InlineData(6, 4)]
    [InlineData(13, 512)]
    [InlineData(14, 900)]
    [InlineData(1_000_000, 900)]
    public void Throttle_the_wait_doubles_after_the_free_failures_up_to_the_maximum(int failures, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), Policy.DelayAfter(failures));
}
