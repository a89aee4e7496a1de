using System.Collections.Immutable;
using Orleans.Transactions.Abstractions;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Domain;
using OrleansLicensing.Grains.State;

namespace OrleansLicensing.Grains.Grains;

/// <summary>
/// An old group (R-I1, R-I2): its name, balance, logins and devices as loaded from the export, in
/// persistent state (the device list in a chunked set); whether its balance was imported, in transactional state, so the mark and the
/// minting of the balance commit together and a second import is refused (AlreadyImported).
/// </summary>
public sealed class LegacyGroupGrain(
    [PersistentState("legacyGroup", StorageNames.Licensing)] IPersistentState<LegacyGroupState> state,
    [TransactionalState("legacyGroupImport", StorageNames.Licensing)] ITransactionalState<LegacyImportState> import,
    ITransactionClient transactions) : Grain, ILegacyGroupGrain
{
    public async Task LoadAsync(LegacyGroup group)
    {
        if (state.State.Group != group)
        {
            state.State.Group = group;
            await state.WriteStateAsync();
        }
    }

    public async Task AddLoginAsync(string login)
    {
        if (!state.State.Logins.Contains(login))
        {
            state.State.Logins = state.State.Logins.Add(login);
            await state.WriteStateAsync();
        }
    }

    public async Task AddDevicesAsync(ImmutableArray<string> macs) => await (await DevicesAsync()).AddAsync(macs);

    public async Task<LegacyGroupView?> GetAsync()
    {
        if (state.State.Group is not { } group)
        {
            return null;
        }

        LegacyImportMark? mark = null;
        await transactions.RunTransaction(TransactionOption.Create, async () => mark = await GetImportMarkAsync());
        var devices = await (await DevicesAsync()).CountAsync();
        return new LegacyGroupView(group.GroupId, group.Name, group.Balance, [.. state.State.Logins], devices, mark);
    }

    public async Task<ImmutableArray<string>> ListDevicesAsync() => await (await DevicesAsync()).ListAsync();

    public Task<ImmutableSortedDictionary<string, int>> TakeBalanceAsync(string companyId, string projectId, DateTimeOffset at)
    {
        var balance = state.State.Group?.Balance ?? throw LicensingException.NotFound("The old group");
        return import.PerformUpdate(current =>
        {
            if (current.Mark is { } mark)
            {
                throw new LicensingException(ErrorCodes.AlreadyImported, $"The old group's balance was imported on {mark.At.UtcDateTime:yyyy-MM-dd}.");
            }

            current.Mark = new LegacyImportMark(companyId, projectId, at);
            return LicenseMath.ToMap(balance.Where(entry => entry.Value > 0));
        });
    }

    public Task<LegacyImportMark?> GetImportMarkAsync() => import.PerformRead(current => current.Mark);

    /// <summary>
    /// The group's devices, a chunked set ("legacy-group-devices/{groupId}"): a group of 100,000 old
    /// devices loads part by part without rewriting the whole list each time. A group stored when
    /// the list was in its own state hands it over on first use.
    /// </summary>
    private async Task<IChunkedSetGrain> DevicesAsync()
    {
        var set = GrainFactory.GetGrain<IChunkedSetGrain>($"legacy-group-devices/{this.GetPrimaryKeyString()}");
        if (!state.State.Devices.IsEmpty)
        {
            await set.AddAsync([.. state.State.Devices]);
            state.State.Devices = state.State.Devices.Clear();
            await state.WriteStateAsync();
        }

        return set;
    }
}
