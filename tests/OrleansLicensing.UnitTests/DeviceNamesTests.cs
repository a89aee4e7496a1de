using OrleansLicensing.Contracts;

namespace OrleansLicensing.UnitTests;

/// <summary>R-D4: which device names look like a device identity (a MAC in any R-F1 form, or an IPEI).</summary>
public sealed class DeviceNamesTests
{
    [Theory]
    [InlineData("00-90-33-0a-1b-2c")]
    [InlineData("00:90:33:0A:1B:2C")]
    [InlineData("0090330a1b2c")]
    [InlineData("0a1b2c")]
    [InlineData("  0A1B2C  ")]
    [InlineData("00077 0123456 7")]
    [InlineData("00077-0123456-*")]
    [InlineData("000770123456")]
    [InlineData("0007701234567")]
    [InlineData("0004D 1A2B3")]
    [InlineData("0004d1a2b3")]
    public void Identities_are_refused(string name) => Assert.True(DeviceNames.LooksLikeIdentity(name));

    [Theory]
    [InlineData("Reception PBX")]
    [InlineData("PBX 00077 floor 3")]
    [InlineData("0a1b2")]
    [InlineData("0a1b2c3")]
    [InlineData("00-90-33-0a-1b")]
    [InlineData("00077 0123")]
    [InlineData("00077 0123456 78")]
    [InlineData("Gateway 0004D1A2B3 old")]
    [InlineData("ghijkl")]
    public void Ordinary_names_pass(string name) => Assert.False(DeviceNames.LooksLikeIdentity(name));
}
