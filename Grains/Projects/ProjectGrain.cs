using System.Collections.Immutable;
using Orleans.Transactions.Abstractions;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Domain;
using OrleansLicensing.Grains.History;
using OrleansLicensing.Grains.State;

namespace OrleansLicensing.Grains.Grains;

public sealed class ProjectGrain(
    [PersistentState("project", StorageNames.Licensing)] IPersistentState<ProjectState> project,
    [TransactionalState("projectBalance", StorageNames.Licensing)] ITransactionalState<BalanceState> balance,
    [TransactionalState("projectFreePool", StorageNames.Licensing)] ITransactionalState<FreePoolState> freePool,
    [TransactionalState("projectKeys", StorageNames.Licensing)] ITransactionalState<ProjectKeysState> keys,
    ChangeFeed feed) : Grain, IProjectGrain
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

        // Every project can hold units, so the audit must see it (R-C2).
        await GrainFactory.GetGrain<IHolderRegistryGrain>(HolderRegistryGrain.ShardOf(HolderKinds.Project, this.GetPrimaryKeyString()))
            .RegisterAsync(HolderKinds.Project, this.GetPrimaryKeyString());
        return View();
    }

    public Task<ProjectView> GetAsync() => Task.FromResult(EnsureCreated().View());

    public async Task<ProjectView> UpdateAsync(string? name, string? description)
    {
        EnsureCreated();
        project.State.Name = name ?? project.State.Name;
        project.State.Description = description is null ? project.State.Description : description.Length == 0 ? null : description;
        await project.WriteStateAsync();
        return View();
    }

    public async Task CloseAsync()
    {
        if (!project.State.Created)
        {
            throw LicensingException.NotFound("The project");
        }

        // Reads of the pool and the keys hold their locks until the transaction ends, so neither
        // can change between this check and the commit; the balance is written (Closed) last.
        var pooled = await freePool.PerformRead(state => state.Lots.Length);
        var (redeemed, own) = await keys.PerformRead(state => (state.Redeemed.Count, state.OwnKeys.Count));
        await balance.PerformUpdate(state =>
        {
            if (state.Closed)
            {
                return;
            }

            var blocking = new List<string>();
            if (redeemed > 0 || own > 0)
            {
                blocking.Add("activationKeys");
            }

            if (!project.State.Devices.IsEmpty)
            {
                blocking.Add("devices");
            }

            if (!project.State.ExternalCompanies.IsEmpty)
            {
                blocking.Add("projectRights");
            }

            if (!state.Licenses.IsEmpty)
            {
                blocking.Add("balance");
            }

            if (pooled > 0)
            {
                blocking.Add("freeLicenses");
            }

            if (blocking.Count > 0)
            {
                throw new LicensingException(
                    ErrorCodes.ProjectNotEmpty,
                    $"The project still has {string.Join(", ", blocking)}; empty it, or join it into another project.",
                    ImmutableDictionary<string, string[]>.Empty.Add("blocking", [.. blocking]));
            }

            state.Closed = true;
        });
    }

    public async Task MarkDeletedAsync()
    {
        if (project.State.Created && !project.State.Deleted)
        {
            project.State.Deleted = true;
            await project.WriteStateAsync();
        }
    }

    public async Task ReceiveKeyAsync(RedeemedKey key)
    {
        await CreditAsync(key.Licenses);
        await keys.PerformUpdate(state => state.Redeemed = state.Redeemed.Add(key));
    }

    public async Task DebitForOwnKeyAsync(string code, ImmutableSortedDictionary<string, int> licenses)
    {
        await DebitAsync(licenses);
        await keys.PerformUpdate(state => state.OwnKeys = state.OwnKeys.Add(code));
    }

    public async Task ReturnOwnKeyAsync(string code, ImmutableSortedDictionary<string, int> licenses)
    {
        await CreditAsync(licenses);
        await keys.PerformUpdate(state => state.OwnKeys = state.OwnKeys.Remove(code));
    }

    public Task<ImmutableArray<RedeemedKey>> ListRedeemedKeysAsync()
    {
        EnsureCreated();
        return keys.PerformRead(state => state.Redeemed.ToImmutableArray());
    }

    public async Task<ImmutableArray<ActivationKeyView>> ListOwnKeysAsync()
    {
        EnsureCreated();
        var codes = await keys.PerformRead(state => state.OwnKeys);
        var views = await Task.WhenAll(codes.Select(code => GrainFactory.GetGrain<IActivationKeyGrain>(code).GetAsync()));
        return [.. views.OrderBy(v => v.CreatedAt)];
    }

    public Task<ImmutableSortedDictionary<string, int>> GetBalanceAsync()
    {
        EnsureCreated();
        return balance.PerformRead(state => state.Licenses);
    }

    public Task CreditAsync(ImmutableSortedDictionary<string, int> licenses)
    {
        EnsureCreated();
        return balance.PerformUpdate(state =>
        {
            EnsureOpen(state);
            state.Licenses = LicenseMath.Add(state.Licenses, licenses);
        });
    }

    public Task<ImmutableSortedDictionary<string, int>> DebitUpToAsync(ImmutableSortedDictionary<string, int> wanted)
    {
        EnsureCreated();
        return balance.PerformUpdate(state =>
        {
            EnsureOpen(state);
            var taken = LicenseMath.Cover(state.Licenses, wanted);
            state.Licenses = LicenseMath.Subtract(state.Licenses, taken);
            return taken;
        });
    }

    public Task DebitAsync(ImmutableSortedDictionary<string, int> licenses)
    {
        EnsureCreated();
        return balance.PerformUpdate(state =>
        {
            EnsureOpen(state);
            var taken = LicenseMath.Cover(state.Licenses, licenses);
            if (!taken.SequenceEqual(licenses))
            {
                var missing = LicenseMath.Subtract(licenses, taken).Select(e => $"{e.Key}={e.Value}").ToArray();
                throw new LicensingException(
                    ErrorCodes.InsufficientBalance,
                    $"The balance of project {this.GetPrimaryKeyString()} is short of {string.Join(", ", missing)}.",
                    ImmutableDictionary<string, string[]>.Empty.Add("shortfall", missing));
            }

            state.Licenses = LicenseMath.Subtract(state.Licenses, licenses);
        });
    }

    public async Task AddToFreePoolAsync(ImmutableArray<LicenseLot> lots)
    {
        EnsureCreated();
        await balance.PerformRead(EnsureOpen);
        await freePool.PerformUpdate(state => state.Lots = state.Lots.AddRange(lots));
    }

    public Task<ImmutableArray<LicenseLot>> TakeFromFreePoolAsync(ImmutableArray<string> lotIds)
    {
        EnsureCreated();
        return freePool.PerformUpdate(state =>
        {
            var wanted = lotIds.ToHashSet(StringComparer.Ordinal);
            var taken = state.Lots.Where(lot => wanted.Contains(lot.LotId)).ToImmutableArray();
            if (taken.Length != wanted.Count)
            {
                throw LicensingException.NotFound("A named lot of the free pool");
            }

            state.Lots = state.Lots.RemoveAll(lot => wanted.Contains(lot.LotId));
            return taken;
        });
    }

    public Task<ImmutableArray<LicenseLot>> GetFreePoolAsync()
    {
        EnsureCreated();
        return freePool.PerformRead(state => state.Lots);
    }

    public async Task<Holding> GetHoldingAsync()
    {
        if (!project.State.Created)
        {
            return new Holding(HolderKinds.Project, LicenseMath.Empty);
        }

        var units = await balance.PerformRead(state => state.Licenses);
        var pooled = await freePool.PerformRead(state => state.Lots);
        return new Holding(HolderKinds.Project, LicenseMath.Add(units, LicenseMath.ToMap(pooled.Select(l => KeyValuePair.Create(l.Type, l.Units)))));
    }

    public Task<string> AuthorizeExternalAsync(string companyId) =>
        project.State.Created && !project.State.Deleted && project.State.ExternalCompanies.Contains(companyId)
            ? Task.FromResult(project.State.CompanyId)
            : throw LicensingException.NotFound("The project");

    public Task<ImmutableArray<string>> ListRightsAsync()
    {
        EnsureCreated();
        return Task.FromResult(project.State.ExternalCompanies.ToImmutableArray());
    }

    public async Task<ImmutableArray<string>> GrantRightAsync(string companyId)
    {
        EnsureCreated();
        if (companyId == project.State.CompanyId)
        {
            throw LicensingException.Validation("A project's own company needs no rights on it.");
        }

        // NotFound for a company that does not exist: a right for nobody would be a trap for later.
        await GrainFactory.GetGrain<ICompanyGrain>(companyId).GetAsync();
        if (!project.State.ExternalCompanies.Contains(companyId))
        {
            project.State.ExternalCompanies = project.State.ExternalCompanies.Add(companyId);
            await project.WriteStateAsync();
            await RecordRightAsync(HistoryActions.RightGranted, companyId);
        }

        return [.. project.State.ExternalCompanies];
    }

    public async Task<ImmutableArray<string>> RevokeRightAsync(string companyId)
    {
        EnsureCreated();
        if (!project.State.ExternalCompanies.Contains(companyId))
        {
            throw LicensingException.NotFound("The company right");
        }

        project.State.ExternalCompanies = project.State.ExternalCompanies.Remove(companyId);
        await project.WriteStateAsync();
        await RecordRightAsync(HistoryActions.RightRevoked, companyId);
        return [.. project.State.ExternalCompanies];
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

    /// <summary>A right's change, in the owner's history and in the history of the company it concerns.</summary>
    private Task RecordRightAsync(string action, string companyId)
    {
        var projectId = this.GetPrimaryKeyString();
        return feed.RecordAsync(
            feed.Event(project.State.CompanyId, action, projectId, details: ChangeFeed.Details(("companyId", companyId))),
            feed.Event(companyId, action, details: ChangeFeed.Details(("projectId", projectId), ("ownerCompanyId", project.State.CompanyId))));
    }

    private ProjectGrain EnsureCreated() =>
        project.State.Created && !project.State.Deleted ? this : throw LicensingException.NotFound("The project");

    private static bool EnsureOpen(BalanceState state) =>
        !state.Closed ? true : throw LicensingException.NotFound("The project");

    private ProjectView View() => new(this.GetPrimaryKeyString(), project.State.CompanyId, project.State.Name, project.State.Description, project.State.SsaEndDate);
}
