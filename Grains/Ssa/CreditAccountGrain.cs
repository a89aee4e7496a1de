using System.Collections.Immutable;
using Orleans.Transactions.Abstractions;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.State;

namespace OrleansLicensing.Grains.Grains;

/// <summary>A company's purchases on credit (R-S4), written in the transaction that mints them (R-C2).</summary>
public sealed class CreditAccountGrain(
    [TransactionalState("creditDebts", StorageNames.Licensing)] ITransactionalState<CreditAccountState> debts) : Grain, ICreditAccountGrain
{
    public Task RecordAsync(CreditDebt debt) =>
        debts.PerformUpdate(state => state.Debts = state.Debts.Add(debt));

    public async Task AbsorbAsync(string otherCompanyId)
    {
        var taken = await GrainFactory.GetGrain<ICreditAccountGrain>(otherCompanyId).TakeAllAsync();
        if (!taken.IsEmpty)
        {
            await debts.PerformUpdate(state => state.Debts = state.Debts.AddRange(taken));
        }
    }

    public Task<ImmutableArray<CreditDebt>> TakeAllAsync() =>
        debts.PerformUpdate(state =>
        {
            var taken = state.Debts.ToImmutableArray();
            state.Debts = state.Debts.Clear();
            return taken;
        });

    public Task<ImmutableArray<CreditDebt>> ListAsync() =>
        debts.PerformRead(state => state.Debts.ToImmutableArray());
}
