using Microsoft.Extensions.DependencyInjection;
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

/// <summary>How long idle grains stay in memory (D105): devices by their own setting, the rest by Orleans' default.</summary>
public sealed class CollectionAgeTests
{
    [Fact]
    public async Task Device_grains_get_the_configured_collection_age_and_other_grains_keep_the_default()
    {
        await using var app = new LicensingApp("Memory", settings: new Dictionary<string, string> { ["Orleans:DeviceCollectionAge"] = "00:07:00" });
        _ = app.Server;
        var types = app.Services.GetRequiredService<Orleans.Runtime.GrainTypeSharedContextResolver>();

        Assert.Equal(TimeSpan.FromMinutes(7), types.GetComponents(Orleans.Runtime.GrainType.Create("device")).CollectionAgeLimit);
        var defaultAge = app.Services.GetRequiredService<IOptions<Orleans.Configuration.GrainCollectionOptions>>().Value.CollectionAge;
        Assert.NotEqual(TimeSpan.FromMinutes(7), defaultAge);
        Assert.Equal(defaultAge, types.GetComponents(Orleans.Runtime.GrainType.Create("project")).CollectionAgeLimit);
        Assert.True(app.Services.GetRequiredService<IOptions<Orleans.Configuration.GrainCollectionOptions>>().Value.EnableActivationSheddingOnMemoryPressure);
    }
}
