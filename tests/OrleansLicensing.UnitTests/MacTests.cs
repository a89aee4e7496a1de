using OrleansLicensing.Grains.Domain;

namespace OrleansLicensing.UnitTests;

public sealed class MacTests
{
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
}
