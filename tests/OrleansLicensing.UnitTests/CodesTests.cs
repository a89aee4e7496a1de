using System.Text.RegularExpressions;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Domain;

namespace OrleansLicensing.UnitTests;

public sealed partial class CodesTests
{
    private const string Crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    [GeneratedRegex("^[0-9A-HJKMNP-TV-Z]{5}(-[0-9A-HJKMNP-TV-Z]{5}){4}$")]
    private static partial Regex KeyShape();

    [GeneratedRegex("^[0-9a-hjkmnp-tv-z]{16}$")]
    private static partial Regex IdShape();

    [GeneratedRegex("^[0-9a-f]{32}$")]
    private static partial Regex SecretShape();

    [Fact]
    public void R_K1_activation_keys_are_five_groups_of_five_Crockford_characters()
    {
        for (var i = 0; i < 100; i++)
        {
            var key = Codes.NewActivationKey();
            Assert.Matches(KeyShape(), key);
            Assert.Equal(29, key.Length);
        }
    }

    [Fact]
    public void R_K1_activation_keys_carry_at_least_100_bits()
    {
        // 25 characters from a 32-symbol alphabet = 125 bits, provided every symbol is used.
        // Over 400 keys (10 000 characters) a missing symbol has probability 32·(31/32)^10000 ≈ 1e-136.
        var seen = new HashSet<char>();
        for (var i = 0; i < 400; i++)
        {
            seen.UnionWith(Codes.NewActivationKey().Replace("-", string.Empty, StringComparison.Ordinal));
        }

        Assert.Equal(Crockford.Order(), seen.Order());
        Assert.True(25 * Math.Log2(seen.Count) >= 100);
    }

    [Fact]
    public void R_K1_keys_do_not_repeat()
    {
        var keys = Enumerable.Range(0, 1000).Select(_ => Codes.NewActivationKey()).ToList();
        Assert.Equal(keys.Count, keys.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void R_K1_a_new_key_is_already_normalised()
    {
        var key = Codes.NewActivationKey();
        Assert.Equal(key, Codes.NormalizeActivationKey(key));
    }

    [Theory]
    [InlineData("ABCDE-FGHJK-MNPQR-STVWX-YZ012", "ABCDE-FGHJK-MNPQR-STVWX-YZ012")]
    [InlineData("abcde-fghjk-mnpqr-stvwx-yz012", "ABCDE-FGHJK-MNPQR-STVWX-YZ012")]
    [InlineData("AbCdE-fGhJk-MnPqR-sTvWx-Yz012", "ABCDE-FGHJK-MNPQR-STVWX-YZ012")]
    [InlineData("ABCDEFGHJKMNPQRSTVWXYZ012", "ABCDE-FGHJK-MNPQR-STVWX-YZ012")]
    [InlineData("ABCDE FGHJK MNPQR STVWX YZ012", "ABCDE-FGHJK-MNPQR-STVWX-YZ012")]
    [InlineData("  ABCDE-FGHJK-MNPQR-STVWX-YZ012  ", "ABCDE-FGHJK-MNPQR-STVWX-YZ012")]
    [InlineData("AB-CDEFG-HJKMN-PQRST-VWXYZ-012", "ABCDE-FGHJK-MNPQR-STVWX-YZ012")]
    [InlineData("ABCDE--FGHJK - MNPQR-STVWX-YZ012", "ABCDE-FGHJK-MNPQR-STVWX-YZ012")]
    // look-alikes: O → 0, I and L → 1
    [InlineData("OOOOO-IIIII-LLLLL-ooooo-iilll", "00000-11111-11111-00000-11111")]
    [InlineData("0O0o0-1I1i1-1L1l1-22222-33333", "00000-11111-11111-22222-33333")]
    public void R_K1_typed_keys_are_normalised(string input, string expected) =>
        Assert.Equal(expected, Codes.NormalizeActivationKey(input));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    // wrong length
    [InlineData("ABCDE-FGHJK-MNPQR-STVWX-YZ01")]
    [InlineData("ABCDE-FGHJK-MNPQR-STVWX-YZ0123")]
    [InlineData("ABCDE-FGHJK-MNPQR-STVWX")]
    [InlineData("A")]
    // characters outside the alphabet
    [InlineData("ABCDE-FGHJK-MNPQR-STVWX-YZ01U")]
    [InlineData("ABCDE-FGHJK-MNPQR-STVWX-YZ01!")]
    [InlineData("ABCDE_FGHJK_MNPQR_STVWX_YZ012")]
    [InlineData("ABCDE.FGHJK.MNPQR.STVWX.YZ012")]
    [InlineData("ABCDE-FGHJK-MNPQR-STVWX-YZ01\u00c4")]
    [InlineData("ABCDE\tFGHJK-MNPQR-STVWX-YZ012")]
    public void R_K1_inputs_that_cannot_be_keys_are_rejected(string? input) =>
        Assert.Null(Codes.NormalizeActivationKey(input));

    [Fact]
    public void R_K1_very_long_input_is_rejected_before_parsing() =>
        Assert.Null(Codes.NormalizeActivationKey("ABCDE-FGHJK-MNPQR-STVWX-YZ012" + new string(' ', 40)));

    [Fact]
    public void NewId_is_16_lower_case_base32_characters_and_does_not_repeat()
    {
        var ids = Enumerable.Range(0, 500).Select(_ => Codes.NewId()).ToList();
        Assert.All(ids, id => Assert.Matches(IdShape(), id));
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void NewDeviceSecret_is_128_bits_of_lower_case_hex()
    {
        var first = Codes.NewDeviceSecret();
        Assert.Matches(SecretShape(), first);
        Assert.NotEqual(first, Codes.NewDeviceSecret());
    }

    [Fact]
    public void DeviceSecretFor_is_stable_per_key_scope_and_mac_and_shaped_like_a_random_secret()
    {
        var key = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        var secret = Codes.DeviceSecretFor(key, "idem-a", "00-90-33-00-00-01");

        Assert.Matches(SecretShape(), secret);
        Assert.Equal(secret, Codes.DeviceSecretFor(key, "idem-a", "00-90-33-00-00-01"));
        Assert.NotEqual(secret, Codes.DeviceSecretFor(key, "idem-b", "00-90-33-00-00-01"));
        Assert.NotEqual(secret, Codes.DeviceSecretFor(key, "idem-a", "00-90-33-00-00-02"));
        Assert.NotEqual(secret, Codes.DeviceSecretFor(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32), "idem-a", "00-90-33-00-00-01"));
        Assert.True(Codes.SecretMatches(secret, Codes.HashSecret(secret)));
    }

    [Fact]
    public void SecretMatches_accepts_the_secret_that_was_hashed()
    {
        var secret = Codes.NewDeviceSecret();
        var hash = Codes.HashSecret(secret);

        Assert.Equal(32, hash.Length);
        Assert.True(Codes.SecretMatches(secret, hash));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("wrong")]
    public void SecretMatches_rejects_any_other_secret(string? other)
    {
        var hash = Codes.HashSecret(Codes.NewDeviceSecret());
        Assert.False(Codes.SecretMatches(other, hash));
    }

    [Fact]
    public void SecretMatches_is_case_sensitive()
    {
        var hash = Codes.HashSecret("abcdef0123456789abcdef0123456789");
        Assert.False(Codes.SecretMatches("ABCDEF0123456789ABCDEF0123456789", hash));
    }

    [Fact]
    public void SecretMatches_rejects_secrets_longer_than_128_characters_even_with_their_hash()
    {
        var longSecret = new string('a', 129);
        Assert.False(Codes.SecretMatches(longSecret, Codes.HashSecret(longSecret)));

        var longest = new string('a', 128);
        Assert.True(Codes.SecretMatches(longest, Codes.HashSecret(longest)));
    }

    [Fact]
    public void SecretMatches_rejects_an_empty_or_short_hash()
    {
        Assert.False(Codes.SecretMatches("secret", []));
        Assert.False(Codes.SecretMatches("secret", Codes.HashSecret("secret")[..16]));
    }

    [Fact]
    public void IdFrom_is_deterministic_well_formed_and_differs_per_scope()
    {
        var first = Codes.IdFrom("idem-scope-a");
        Assert.Equal(first, Codes.IdFrom("idem-scope-a"));
        Assert.NotEqual(first, Codes.IdFrom("idem-scope-b"));
        Assert.Equal(16, first.Length);
        Assert.All(first, c => Assert.Contains(c, "0123456789abcdefghjkmnpqrstvwxyz"));
        var spread = Enumerable.Range(0, 200).Select(i => Codes.IdFrom($"scope-{i}")).SelectMany(id => id).Distinct().Count();
        Assert.True(spread >= 30, $"only {spread} symbols used");
    }
}
