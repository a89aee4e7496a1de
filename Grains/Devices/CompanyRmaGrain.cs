using System.Collections.Immutable;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.State;

namespace OrleansLicensing.Grains.Grains;

public sealed class CompanyRmaGrain(
    [PersistentState("companyRma", StorageNames.Licensing)] IPersistentState<CompanyRmaState> rmas) : Grain, ICompanyRmaGrain
{
    public async Task AddAsync(string mac)
    {
        if (!rmas.State.Macs.Contains(mac))
        {
            rmas.State.Macs = rmas.State.Macs.Add(mac);
            await rmas.WriteStateAsync();
        }
    }

    public Task<ImmutableArray<string>> ListAsync() => Task.FromResult(rmas.State.Macs.ToImmutableArray());
}
