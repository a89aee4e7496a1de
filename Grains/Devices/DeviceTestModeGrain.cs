using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.History;
using OrleansLicensing.Grains.State;

namespace OrleansLicensing.Grains.Grains;

/// <summary>How often a device in test mode wakes to see whether its eight hours are over (R-L9).</summary>
public sealed class DeviceTestModeOptions
{
    /// <summary>
    /// The period of the persisted reminder of a device in test mode. Test mode ends at the first
    /// tick at or after its end, so this bounds how late it ends; the poll answer carries the end
    /// time itself, so a device can stop on time without waiting for the tick.
    /// </summary>
    public TimeSpan CheckPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The period of the persisted reminder of a device with a valid test license (R-L8). The
    /// license ends at the first tick at or after its three months; the poll answer carries the
    /// end itself, so a device can stop on time without waiting for the tick.
    /// </summary>
    public TimeSpan TestLicenseCheckPeriod { get; set; } = TimeSpan.FromHours(1);
}

/// <summary>
/// A device's test mode (R-L9), apart from the device grain so that its persisted state and its
/// reminder leave the device's lots, transactions and poll path alone. The end time is read from
/// the licensing clock; a persisted Orleans reminder wakes the grain while test mode is on, also
/// after a restart, and switches it off once the end has come.
/// </summary>
public sealed class DeviceTestModeGrain(
    [PersistentState("deviceTestMode", StorageNames.Licensing)] IPersistentState<DeviceTestModeState> state,
    [FromKeyedServices(LicensingClock.Key)] TimeProvider time,
    IOptions<DeviceTestModeOptions> options,
    ChangeFeed feed) : Grain, IDeviceTestModeGrain, IRemindable
{
    private const string ReminderName = "test-mode-off";

    private string Mac => this.GetPrimaryKeyString();

    private DeviceTestMode Current => new(state.State.Until, state.State.Revision);

    public async Task<DeviceTestMode> SwitchOnAsync()
    {
        var until = time.GetUtcNow() + DeviceTestMode.Duration;
        await ChangeAsync(until);
        await this.RegisterOrUpdateReminder(ReminderName, options.Value.CheckPeriod, options.Value.CheckPeriod);
        await RecordAsync(HistoryActions.TestModeOn, ("until", until.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture)));
        return Current;
    }

    public async Task<DeviceTestMode> SwitchOffAsync()
    {
        if (state.State.Until is not null)
        {
            await ChangeAsync(null);
            await RecordAsync(HistoryActions.TestModeOff);
        }

        await StopReminderAsync();
        return Current;
    }

    /// <summary>
    /// A test mode whose end has passed reads as off at once (with the revision its switch-off will
    /// have), also before the reminder's tick has persisted it: a device activated after a restart
    /// that outlasted the eight hours never shows it on again.
    /// </summary>
    public Task<DeviceTestMode> GetAsync() =>
        Task.FromResult(state.State.Until is { } until && time.GetUtcNow() >= until ? new DeviceTestMode(null, state.State.Revision + 1) : Current);

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != ReminderName)
        {
            return;
        }

        if (state.State.Until is { } until && time.GetUtcNow() < until)
        {
            // Still on; the device may have missed the last push (its silo died): tell it again.
            await GrainFactory.GetGrain<IDeviceGrain>(Mac).ShowTestModeAsync(Current);
            return;
        }

        await SwitchOffByReminderAsync();
    }

    /// <summary>The eight hours are over: off, recorded as the reminder's doing (no user acted).</summary>
    private async Task SwitchOffByReminderAsync()
    {
        if (state.State.Until is not null)
        {
            await ChangeAsync(null);
            await RecordAsync(HistoryActions.TestModeOff, ("by", "reminder"));
        }

        await StopReminderAsync();
    }

    private Task RecordAsync(string action, params (string Key, string? Value)[] details) => feed.RecordForDeviceAsync(Mac, action, details);

    /// <summary>Persists the new end first, then tells the device, so a poll never shows a state that a restart would lose.</summary>
    private async Task ChangeAsync(DateTimeOffset? until)
    {
        state.State.Until = until;
        state.State.Revision++;
        await state.WriteStateAsync();
        await GrainFactory.GetGrain<IDeviceGrain>(Mac).ShowTestModeAsync(Current);
    }

    private async Task StopReminderAsync()
    {
        if (await this.GetReminder(ReminderName) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }
}
