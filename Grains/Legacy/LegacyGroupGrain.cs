using System.Collections.Immutable;
using Orleans.Transactions.Abstractions;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Domain;
using OrleansLicensing.Grains.State;

namespace OrleansLicensing.Grains.Grains;

/// <summary>
/// An old group (R-I1, R-I2): its name, balance, logins and devices as loaded from the export, in
/// persistent state; whether its balance was imported, in transactional state, so the mark and the
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

    public async Task AddDevicesAsync(ImmutableArray<string> macs)
    {
        var devices = state.State.Devices.Union(macs);
        if (devices.Count != state.State.Devices.Count)
        {
            state.State.Devices = devices;
            await state.WriteStateAsync();
        }
    }

    public async Task<LegacyGroupView?> GetAsync()
    {
        if (state.State.Group is not { } group)
        {
            return null;
        }

        LegacyImportMark? mark = null;
        await transactions.RunTransaction(TransactionOption.Create, async () => mark = await GetImportMarkAsync());
        return new LegacyGroupView(group.GroupId, group.Name, group.Balance, [.. state.State.Logins], state.State.Devices.Count, mark);
    }

    public Task<ImmutableArray<string>> ListDevicesAsync() => Task.FromResult(state.State.Devices.ToImmutableArray());

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
}
