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

/// <summary>Orleans' transaction timeouts: this project's defaults, and the section <c>Transactions</c> overriding any of them.</summary>
public sealed class TransactionTimeoutsTests
{
    [Fact]
    public async Task Transaction_timeouts_take_the_project_defaults_and_the_Transactions_section_overrides_them()
    {
        await using (var defaults = new LicensingApp("Memory"))
        {
            _ = defaults.Server;
            var options = defaults.Services.GetRequiredService<IOptions<Orleans.Configuration.TransactionalStateOptions>>().Value;
            Assert.Equal(OrleansLicensing.Silo.LicensingNode.RecoveryInterval, options.PrepareTimeout);
            Assert.Equal(OrleansLicensing.Silo.LicensingNode.RecoveryInterval, options.RemoteTransactionPingFrequency);
            Assert.Equal(TimeSpan.FromSeconds(8), options.LockTimeout);
        }

        await using var app = new LicensingApp("Memory", settings: new Dictionary<string, string>
        {
            ["Transactions:LockTimeout"] = "00:00:12",
            ["Transactions:PrepareTimeout"] = "00:00:09",
        });
        _ = app.Server;
        var overridden = app.Services.GetRequiredService<IOptions<Orleans.Configuration.TransactionalStateOptions>>().Value;
        Assert.Equal(TimeSpan.FromSeconds(12), overridden.LockTimeout);
        Assert.Equal(TimeSpan.FromSeconds(9), overridden.PrepareTimeout);
        Assert.Equal(OrleansLicensing.Silo.LicensingNode.RecoveryInterval, overridden.ConfirmationRetryDelay);
    }
}
