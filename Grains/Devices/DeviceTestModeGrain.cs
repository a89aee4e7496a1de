using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansLicensing.Contracts;
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
    IOptions<DeviceTestModeOptions> options) : Grain, IDeviceTestModeGrain, IRemindable
{
    private const string ReminderName = "test-mode-off";

    private string Mac => this.GetPrimaryKeyString();

    private DeviceTestMode Current => new(state.State.Until, state.State.Revision);

    /// <summary>A test mode whose end passed while the grain was not active (a restart, a long idle) ends before anyone reads it.</summary>
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.State.Until is { } until && time.GetUtcNow() >= until)
        {
            await SwitchOffAsync(byUser: null);
        }
    }

    public async Task<DeviceTestMode> SwitchOnAsync(string? byUser)
    {
        await ChangeAsync(time.GetUtcNow() + DeviceTestMode.Duration);
        await this.RegisterOrUpdateReminder(ReminderName, options.Value.CheckPeriod, options.Value.CheckPeriod);
        return Current;
    }

    public async Task<DeviceTestMode> SwitchOffAsync(string? byUser)
    {
        if (state.State.Until is not null)
        {
            await ChangeAsync(null);
        }

        await StopReminderAsync();
        return Current;
    }

    public Task<DeviceTestMode> GetAsync() => Task.FromResult(Current);

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

        await SwitchOffAsync(byUser: null);
    }

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
