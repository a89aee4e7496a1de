using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Domain;

namespace OrleansLicensing.UnitTests;

/// <summary>The export's password scheme (docs/import.md, R-I2) against the published PBKDF2-HMAC-SHA1 test vector of RFC 6070.</summary>
public sealed class LegacyPasswordsTests
{
    // RFC 6070: P = "passwordPASSWORDpassword", S = "saltSALTsaltSALTsaltSALTsaltSALTsalt", c = 4096, dkLen = 25.
    private static readonly LegacyPasswordHash Rfc6070 = new(
        LegacyPasswords.Sha1,
        4096,
        Convert.ToBase64String("saltSALTsaltSALTsaltSALTsaltSALTsalt"u8),
        Convert.ToBase64String(Convert.FromHexString("3d2eec4fe41c849b80c8d83662c0e44a8b291a964cf2f07038")));

    [Fact]
    public void R_I2_the_published_vector_verifies_and_a_wrong_password_does_not()
    {
        Assert.Null(LegacyPasswords.Problem(Rfc6070));
        Assert.True(LegacyPasswords.Verify("passwordPASSWORDpassword", Rfc6070));
        Assert.False(LegacyPasswords.Verify("passwordPASSWORDpassworD", Rfc6070));
        Assert.False(LegacyPasswords.Verify("passwordPASSWORDpassword", Rfc6070 with { Algorithm = LegacyPasswords.Sha256 }));
    }

    [Theory]
    [InlineData("md5", 4096)]
    [InlineData("pbkdf2-sha1", 999)]
    [InlineData("pbkdf2-sha1", 1_000_001)]
    public void R_I2_hashes_outside_the_scheme_are_refused_and_never_verify(string algorithm, int iterations)
    {
        var hash = Rfc6070 with { Algorithm = algorithm, Iterations = iterations };
        Assert.NotNull(LegacyPasswords.Problem(hash));
        Assert.False(LegacyPasswords.Verify("passwordPASSWORDpassword", hash));
    }

    [Fact]
    public void R_I2_a_short_salt_or_a_hash_that_is_not_base64_is_refused()
    {
        Assert.NotNull(LegacyPasswords.Problem(Rfc6070 with { Salt = Convert.ToBase64String("salt"u8) }));
        Assert.NotNull(LegacyPasswords.Problem(Rfc6070 with { Hash = "not base64!" }));
    }
}
