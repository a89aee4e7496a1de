using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.History;
using OrleansLicensing.Grains.State;

namespace OrleansLicensing.Grains.Grains;

/// <summary>
/// A device's test license (R-L8), apart from the device grain like its test mode (D71): its
/// persisted state and its reminder leave the device's lots, transactions and poll path alone.
/// The three months are counted on the licensing clock from the first download; a persisted
/// reminder (period <see cref="DeviceTestModeOptions.TestLicenseCheckPeriod"/>) wakes the grain,
/// also after a restart, and once the end has come marks the license expired and tells the device,
/// whose poll answer then drops it. Nothing here touches a balance or the mint ledger.
/// </summary>
public sealed class DeviceTestLicenseGrain(
    [PersistentState("deviceTestLicense", StorageNames.Licensing)] IPersistentState<DeviceTestLicenseState> state,
    [FromKeyedServices(LicensingClock.Key)] TimeProvider time,
    IOptions<DeviceTestModeOptions> options,
    ChangeFeed feed) : Grain, IDeviceTestLicenseGrain, IRemindable
{
    private const string ReminderName = "test-license-end";

    private string Mac => this.GetPrimaryKeyString();

    public async Task<DeviceTestLicense> DownloadAsync(TestLicenseRequest request)
    {
        if (state.State.License is not null)
        {
            if (IsOver)
            {
                await ExpireAsync();
                throw new LicensingException(ErrorCodes.TestLicenseUsed, $"The device's test license ended on {state.State.ValidUntil.UtcDateTime:yyyy-MM-dd}; a device gets one test license only.");
            }

            // Within the three months: the license issued at the first download, again.
            return Current!;
        }

        var now = time.GetUtcNow();
        state.State.License = request;
        state.State.FirstDownloadAt = now;
        state.State.ValidUntil = now.AddMonths(DeviceTestLicense.ValidMonths);
        state.State.Revision++;

        // The reminder before the write: a crash in between leaves a reminder that finds no license and removes itself.
        await this.RegisterOrUpdateReminder(ReminderName, options.Value.TestLicenseCheckPeriod, options.Value.TestLicenseCheckPeriod);
        await state.WriteStateAsync();
        await GrainFactory.GetGrain<IDeviceGrain>(Mac).ShowTestLicenseAsync(Current!);
        await RecordAsync(HistoryActions.TestLicenseIssued,
            ("version", request.Version),
            ("slave", request.Slave ? "true" : "false"),
            ("pbxUnits", request.PbxUnits?.ToString(CultureInfo.InvariantCulture)),
            ("until", state.State.ValidUntil.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)));
        return Current!;
    }

    /// <summary>A license whose end has passed reads as expired at once, before the reminder's tick has persisted it.</summary>
    public Task<DeviceTestLicense?> GetAsync() =>
        Task.FromResult(Current is { Expired: false } current && IsOver ? current with { Expired = true, Revision = current.Revision + 1 } : Current);

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != ReminderName)
        {
            return;
        }

        if (state.State.License is not null && !IsOver)
        {
            // Still valid; the device may have missed the last push (its silo died): tell it again.
            await GrainFactory.GetGrain<IDeviceGrain>(Mac).ShowTestLicenseAsync(Current!);
            return;
        }

        await ExpireAsync();
    }

    private bool IsOver => time.GetUtcNow() >= state.State.ValidUntil;

    private DeviceTestLicense? Current => state.State.License is { } license
        ? new DeviceTestLicense(license, state.State.FirstDownloadAt, state.State.ValidUntil, state.State.Expired, state.State.Revision)
        : null;

    /// <summary>Persists the end, tells the device (its poll drops the license) and stops the reminder; once.</summary>
    private async Task ExpireAsync()
    {
        if (state.State.License is not null && !state.State.Expired)
        {
            state.State.Expired = true;
            state.State.Revision++;
            await state.WriteStateAsync();
            await GrainFactory.GetGrain<IDeviceGrain>(Mac).ShowTestLicenseAsync(Current!);
            await RecordAsync(HistoryActions.TestLicenseExpired, ("by", "reminder"));
        }

        if (await this.GetReminder(ReminderName) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    private Task RecordAsync(string action, params (string Key, string? Value)[] details) => feed.RecordForDeviceAsync(Mac, action, details);
}
