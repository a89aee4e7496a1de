using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Grains;

namespace OrleansLicensing.Silo;

/// <summary>The period of the test mode reminder (R-L9), <c>Devices:TestModeCheckPeriod</c>.</summary>
public static class DeviceTestModeSetup
{
    public const string Key = "Devices:TestModeCheckPeriod";

    /// <summary>The period of the test license reminder (R-L8).</summary>
    public const string TestLicenseKey = "Devices:TestLicenseCheckPeriod";

    public static IHostApplicationBuilder AddDeviceTestMode(this IHostApplicationBuilder builder)
    {
        var period = builder.Configuration.GetValue(Key, new DeviceTestModeOptions().CheckPeriod);
        if (period < TimeSpan.FromSeconds(1) || period > DeviceTestMode.Duration)
        {
            throw new OptionsValidationException(Key, typeof(DeviceTestModeOptions), [$"{Key} must be between 00:00:01 and 08:00:00."]);
        }

        var licensePeriod = builder.Configuration.GetValue(TestLicenseKey, new DeviceTestModeOptions().TestLicenseCheckPeriod);
        if (licensePeriod < TimeSpan.FromSeconds(1) || licensePeriod > TimeSpan.FromDays(1))
        {
            throw new OptionsValidationException(TestLicenseKey, typeof(DeviceTestModeOptions), [$"{TestLicenseKey} must be between 00:00:01 and 1.00:00:00."]);
        }

        builder.Services.Configure<DeviceTestModeOptions>(options => (options.CheckPeriod, options.TestLicenseCheckPeriod) = (period, licensePeriod));
        var shortest = period < licensePeriod ? period : licensePeriod;
        builder.Services.Configure<ReminderOptions>(options =>
        {
            if (options.MinimumReminderPeriod > shortest)
            {
                options.MinimumReminderPeriod = shortest;
            }
        });
        return builder;
    }
}
