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

    public static IHostApplicationBuilder AddDeviceTestMode(this IHostApplicationBuilder builder)
    {
        var period = builder.Configuration.GetValue(Key, new DeviceTestModeOptions().CheckPeriod);
        if (period < TimeSpan.FromSeconds(1) || period > DeviceTestMode.Duration)
        {
            throw new OptionsValidationException(Key, typeof(DeviceTestModeOptions), [$"{Key} must be between 00:00:01 and 08:00:00."]);
        }

        builder.Services.Configure<DeviceTestModeOptions>(options => options.CheckPeriod = period);
        builder.Services.Configure<ReminderOptions>(options =>
        {
            if (options.MinimumReminderPeriod > period)
            {
                options.MinimumReminderPeriod = period;
            }
        });
        return builder;
    }
}
