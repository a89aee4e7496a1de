using Microsoft.Extensions.Options;

namespace OrleansLicensing.ApiTests;

/// <summary>A node with a bad setting refuses to start and names the setting.</summary>
public sealed class ConfigurationTests
{
    [Theory]
    [InlineData("Storage:DataDirectory", "", "DataDirectory")]
    [InlineData("Storage:Provider", "PostgreSql", "Storage")]
    [InlineData("Storage:SqliteBusyTimeoutSeconds", "0", "SqliteBusyTimeoutSeconds")]
    [InlineData("Orleans:SiloPort", "70000", "SiloPort")]
    public async Task A_bad_setting_stops_the_start_with_a_message_naming_it(string key, string value, string named)
    {
        await using var app = new LicensingApp("Sqlite", Path.Combine(Path.GetTempPath(), "orleans-licensing-config", Guid.NewGuid().ToString("N")), settings: new Dictionary<string, string> { [key] = value });
        var refused = Assert.Throws<OptionsValidationException>(() => app.CreateClient());
        Assert.Contains(named, refused.Message, StringComparison.Ordinal);
    }
}
