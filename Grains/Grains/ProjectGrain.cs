using System.Collections.Immutable;
using Orleans.Transactions.Abstractions;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Domain;
using OrleansLicensing.Grains.State;

namespace OrleansLicensing.Grains.Grains;

public sealed class ProjectGrain(
    [PersistentState("project", StorageNames.Licensing)] IPersistentState<ProjectState> project,
    [TransactionalState("projectBalance", StorageNames.Licensing)] ITransactionalState<BalanceState> balance) : Grain, IProjectGrain
{
    public async Task<ProjectView> InitializeAsync(string companyId, string name, string? description)
    {
        if (project.State.Created)
        {
            throw new LicensingException(ErrorCodes.Conflict, "The project exists.");
        }

        project.State.Created = true;
        project.State.CompanyId = companyId;
        project.State.Name = name;
        project.State.Description = description;
        await project.WriteStateAsync();
        return View();
    }

    public Task<ProjectView> GetAsync() => Task.FromResult(EnsureCreated().View());

    public Task<ImmutableSortedDictionary<string, int>> GetBalanceAsync()
    {
        EnsureCreated();
        return balance.PerformRead(state => state.Licenses);
    }

    public Task CreditAsync(ImmutableSortedDictionary<string, int> licenses)
    {
        EnsureCreated();
        return balance.PerformUpdate(state => state.Licenses = LicenseMath.Add(state.Licenses, licenses));
    }

    public Task<ImmutableSortedDictionary<string, int>> DebitUpToAsync(ImmutableSortedDictionary<string, int> wanted)
    {
        EnsureCreated();
        return balance.PerformUpdate(state =>
        {
            var taken = LicenseMath.Cover(state.Licenses, wanted);
            state.Licenses = LicenseMath.Subtract(state.Licenses, taken);
            return taken;
        });
    }

    public async Task AttachDeviceAsync(string mac)
    {
        EnsureCreated();
        if (!project.State.Devices.Contains(mac))
        {
            project.State.Devices = project.State.Devices.Add(mac);
            await project.WriteStateAsync();
        }
    }

    public async Task DetachDeviceAsync(string mac)
    {
        if (project.State.Devices.Contains(mac))
        {
            project.State.Devices = project.State.Devices.Remove(mac);
            await project.WriteStateAsync();
        }
    }

    public Task<ImmutableArray<string>> ListDevicesAsync()
    {
        EnsureCreated();
        return Task.FromResult(project.State.Devices.ToImmutableArray());
    }

    private ProjectGrain EnsureCreated() =>
        project.State.Created ? this : throw LicensingException.NotFound("The project");

    private ProjectView View() => new(this.GetPrimaryKeyString(), project.State.CompanyId, project.State.Name, project.State.Description, project.State.SsaEndDate);
}
