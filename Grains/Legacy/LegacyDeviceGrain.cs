using System.Collections.Immutable;
using System.Globalization;
using Orleans.Transactions.Abstractions;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.State;

namespace OrleansLicensing.Grains.Grains;

/// <summary>
/// An old device (R-I1, R-I2), keyed by canonical MAC: its licenses as exported and the groups of
/// their users in persistent state; whether it was imported, in transactional state, so the mark
/// and the minted lots on the device commit together and a second import finds it taken.
/// </summary>
public sealed class LegacyDeviceGrain(
    [PersistentState("legacyDevice", StorageNames.Licensing)] IPersistentState<LegacyDeviceState> state,
    [TransactionalState("legacyDeviceImport", StorageNames.Licensing)] ITransactionalState<LegacyImportState> import,
    ITransactionClient transactions) : Grain, ILegacyDeviceGrain
{
    public async Task LoadAsync(LegacyDevice device, ImmutableArray<string> groups)
    {
        if (state.State.Device != device || !state.State.Groups.SequenceEqual(groups))
        {
            (state.State.Device, state.State.Groups) = (device, groups);
            await state.WriteStateAsync();
        }
    }

    public async Task<LegacyDeviceView?> GetAsync()
    {
        if (state.State.Device is not { } device)
        {
            return null;
        }

        LegacyImportMark? mark = null;
        await transactions.RunTransaction(TransactionOption.Create, async () => mark = await import.PerformRead(current => current.Mark));
        return new LegacyDeviceView(device, state.State.Groups, mark);
    }

    public Task<LegacyTaken> TakeForImportAsync(string companyId, string projectId, DateTimeOffset at)
    {
        var device = state.State.Device;
        return import.PerformUpdate(current =>
        {
            if (device is null || current.Mark is not null)
            {
                return new LegacyTaken(false, [], false);
            }

            current.Mark = new LegacyImportMark(companyId, projectId, at);
            var compact = device.Mac.Replace("-", string.Empty, StringComparison.Ordinal);
            var lots = device.Licenses.Select((license, index) =>
                new LicenseLot(license.Type, license.Units, license.Version, license.BindDate, null, null, LotSources.Import)
                {
                    LotId = $"imp-{compact}-{index.ToString(CultureInfo.InvariantCulture)}",
                });
            return new LegacyTaken(true, [.. lots], device.SeveralUsers);
        });
    }
}
