using System.Collections.Immutable;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Transactions.Abstractions;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Domain;
using OrleansLicensing.Grains.Mail;
using OrleansLicensing.Grains.History;
using OrleansLicensing.Grains.State;

namespace OrleansLicensing.Grains.Grains;

public sealed class ProjectGrain(
    [PersistentState("project", StorageNames.Licensing)] IPersistentState<ProjectState> project,
    [TransactionalState("projectBalance", StorageNames.Licensing)] ITransactionalState<BalanceState> balance,
    [TransactionalState("projectFreePool", StorageNames.Licensing)] ITransactionalState<FreePoolState> freePool,
    [TransactionalState("projectKeys", StorageNames.Licensing)] ITransactionalState<ProjectKeysState> keys,
    [TransactionalState("projectSsa", StorageNames.Licensing)] ITransactionalState<ProjectSsaState> ssa,
    ITransactionClient transactions,
    IMailSender mail,
    [FromKeyedServices(LicensingClock.Key)] TimeProvider time,
    IOptions<SsaExpiryOptions> expiryOptions,
    ILogger<ProjectGrain> logger,
    ChangeFeed feed) : Grain, IProjectGrain, IRemindable
{
    private const string SscType = "SSC";
    private const string ExpiryReminder = "ssa-expiry";

    private bool _reminderArmed;

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
        var hasDevices = !await (await DevicesAsync()).IsEmptyAsync();
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

            if (hasDevices)
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

    public Task<ImmutableSortedDictionary<string, int>> ReadBalanceForDebitAsync()
    {
        EnsureCreated();
        return balance.PerformRead(state =>
        {
            EnsureOpen(state);
            return state.Licenses;
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

    public async Task ReadAllStatesAsync()
    {
        if (!project.State.Created)
        {
            return;
        }

        await balance.PerformRead(_ => 0);
        await freePool.PerformRead(_ => 0);
        await keys.PerformRead(_ => 0);
        await ssa.PerformRead(_ => 0);
    }

    /// <summary>Balance plus free pool.</summary>
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

        // The grantee's index of rights it holds, so a join of the grantee can re-point them (R-U3).
        await GrainFactory.GetGrain<ICompanyGrain>(companyId).NoteExternalRightAsync(this.GetPrimaryKeyString(), granted: true);
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
        await GrainFactory.GetGrain<ICompanyGrain>(companyId).NoteExternalRightAsync(this.GetPrimaryKeyString(), granted: false);
        await RecordRightAsync(HistoryActions.RightRevoked, companyId);
        return [.. project.State.ExternalCompanies];
    }

    public Task DebitSscAsync(int units)
    {
        EnsureCreated();
        return balance.PerformUpdate(state =>
        {
            EnsureOpen(state);
            var held = state.Licenses.GetValueOrDefault(SscType);
            if (held < units)
            {
                throw new LicensingException(
                    ErrorCodes.InsufficientSsc,
                    $"The project's balance holds {held} SSC; the SSA costs {units}.",
                    ImmutableDictionary<string, string[]>.Empty.Add("required", [units.ToString(System.Globalization.CultureInfo.InvariantCulture)]).Add("available", [held.ToString(System.Globalization.CultureInfo.InvariantCulture)]));
            }

            state.Licenses = LicenseMath.Subtract(state.Licenses, LicenseMath.ToMap([KeyValuePair.Create(SscType, units)]));
        });
    }

    public async Task<DateOnly?> SetSsaEndAsync(DateOnly endDate)
    {
        EnsureCreated();
        await balance.PerformRead(EnsureOpen);
        return await ssa.PerformUpdate(state =>
        {
            var before = state.EndDate;
            state.EndDate = endDate;
            return before;
        });
    }

    public async Task<ProjectView> RefreshSsaAsync()
    {
        EnsureCreated();
        DateOnly? committed = null;
        await transactions.RunTransaction(TransactionOption.Create, async () =>
        {
            committed = await ssa.PerformRead(state => state.EndDate);
            return false;
        });

        if (project.State.SsaEndDate != committed)
        {
            project.State.SsaEndDate = committed;
            await project.WriteStateAsync();
        }

        await ArmExpiryReminderAsync();
        return View();
    }

    public async Task<ProjectView> SetSsaExpiryMailsAsync(bool enabled)
    {
        EnsureCreated();
        if (project.State.SsaExpiryMailsOff == enabled)
        {
            project.State.SsaExpiryMailsOff = !enabled;
            await project.WriteStateAsync();
        }

        await ArmExpiryReminderAsync();
        return View();
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName == ExpiryReminder)
        {
            await CheckSsaExpiryAsync();
        }
    }

    public async Task CheckSsaExpiryAsync()
    {
        if (!project.State.Created || project.State.Deleted)
        {
            await DisarmExpiryReminderAsync();
            return;
        }

        // The mirror may lag a payment whose notice was lost; the committed date decides.
        await RefreshSsaAsync();
        if (ExpiryMailSlot() is not { } slot)
        {
            return;
        }

        var end = project.State.SsaEndDate!.Value;
        if (project.State.ExpiryMailsFor != end)
        {
            project.State.ExpiryMailsFor = end;
            project.State.ExpiryMailSlots = ImmutableSortedDictionary<string, int>.Empty;
            await project.WriteStateAsync();
        }

        var company = GrainFactory.GetGrain<ICompanyGrain>(project.State.CompanyId);
        string companyName;
        ImmutableArray<Membership> members;
        try
        {
            companyName = (await company.GetAsync()).Name;
            members = await company.ListMembersAsync();
        }
        catch (LicensingException e) when (e.Code == ErrorCodes.NotFound)
        {
            // The company is gone (joined into another, whose join moves the project on): nobody to mail now.
            logger.LogInformation("SSA expiry check of project {Project}: company {Company} not found", this.GetPrimaryKeyString(), project.State.CompanyId);
            return;
        }

        foreach (var member in members)
        {
            if (member.Locked || project.State.ExpiryMailSlots.GetValueOrDefault(member.Email, -1) >= slot)
            {
                continue;
            }

            var account = await GrainFactory.GetGrain<IUserGrain>(member.Email).GetAsync();
            if (account.MailOptOut)
            {
                continue;
            }

            try
            {
                await mail.SendAsync(MailTexts.ComposeSsaExpiry(account.Email, account.Language, account.DisplayName, project.State.Name, companyName, end, time.GetUtcNow()));
            }
            catch (LicensingException e) when (e.Code == ErrorCodes.MailUnavailable)
            {
                // Not recorded as sent: the next tick tries again within the same week.
                logger.LogWarning(e, "SSA expiry mail of project {Project} to {Email} not delivered", this.GetPrimaryKeyString(), member.Email);
                continue;
            }

            // Recorded per recipient right after the send: a re-delivered tick skips who has it.
            project.State.ExpiryMailSlots = project.State.ExpiryMailSlots.SetItem(member.Email, slot);
            await project.WriteStateAsync();
        }
    }

    /// <summary>
    /// The week slot of today (0 = seven weeks before the end, 6 = the last week), or null when no
    /// mail is due: no SSA, mails off, before the first week or from the end date on.
    /// </summary>
    private int? ExpiryMailSlot()
    {
        if (project.State.SsaEndDate is not { } end || project.State.SsaExpiryMailsOff)
        {
            return null;
        }

        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var sinceFirst = today.DayNumber - end.AddDays(-SsaExpiryOptions.FirstMailDaysBeforeEnd).DayNumber;
        return sinceFirst < 0 || today >= end ? null : sinceFirst / 7;
    }

    /// <summary>
    /// A persisted reminder while mails may still be due (an SSA end not yet reached, mails on);
    /// none otherwise. Re-registering keeps the period current with the configuration.
    /// </summary>
    private async Task ArmExpiryReminderAsync()
    {
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        if (project.State.SsaEndDate is { } end && end > today && !project.State.SsaExpiryMailsOff && !project.State.Deleted)
        {
            // Once per activation: registering writes the reminder's row, and every tick arms.
            if (!_reminderArmed)
            {
                var period = expiryOptions.Value.CheckPeriod;
                await this.RegisterOrUpdateReminder(ExpiryReminder, period, period);
                _reminderArmed = true;
            }

            return;
        }

        await DisarmExpiryReminderAsync();
    }

    private async Task DisarmExpiryReminderAsync()
    {
        if (await this.GetReminder(ExpiryReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }

        _reminderArmed = false;
    }

    public async Task AttachDeviceAsync(string mac)
    {
        EnsureCreated();
        await (await DevicesAsync()).AddAsync([mac]);
    }

    public async Task AttachDevicesAsync(ImmutableArray<string> macs)
    {
        EnsureCreated();
        await (await DevicesAsync()).AddAsync(macs);
    }

    public async Task DetachDeviceAsync(string mac) => await (await DevicesAsync()).RemoveAsync([mac]);

    public async Task<ImmutableArray<string>> ListDevicesAsync()
    {
        EnsureCreated();
        return await (await DevicesAsync()).ListAsync();
    }

    /// <summary>
    /// The project's device list, a chunked set (<see cref="IChunkedSetGrain"/>), so that adding a
    /// batch of devices to a project of 100,000 writes one or two chunks, not the whole list. A
    /// project stored when the list was part of its own state hands it over on first use.
    /// </summary>
    private async Task<IChunkedSetGrain> DevicesAsync()
    {
        var set = GrainFactory.GetGrain<IChunkedSetGrain>($"project-devices/{this.GetPrimaryKeyString()}");
        if (!project.State.Devices.IsEmpty)
        {
            await set.AddAsync([.. project.State.Devices]);
            project.State.Devices = [];
            await project.WriteStateAsync();
        }

        return set;
    }

    public Task<ImmutableSortedSet<string>> ListOwnKeyCodesAsync()
    {
        EnsureCreated();
        return keys.PerformRead(state => state.OwnKeys);
    }

    public async Task<ProjectView> ChangeOwnerAsync(string fromCompanyId, string toCompanyId, string name)
    {
        EnsureCreated();
        if (project.State.CompanyId == toCompanyId)
        {
            return View();
        }

        if (project.State.CompanyId != fromCompanyId)
        {
            throw LicensingException.NotFound("The project");
        }

        project.State.CompanyId = toCompanyId;
        project.State.Name = name;
        project.State.ExternalCompanies = project.State.ExternalCompanies.Remove(toCompanyId);
        await project.WriteStateAsync();
        return View();
    }

    public async Task<bool> ReplaceRightAsync(string fromCompanyId, string toCompanyId)
    {
        var rights = project.State.ExternalCompanies;
        if (!project.State.Created || project.State.Deleted || !rights.Contains(fromCompanyId))
        {
            return rights.Contains(toCompanyId);
        }

        var after = rights.Remove(fromCompanyId);
        if (toCompanyId != project.State.CompanyId)
        {
            after = after.Add(toCompanyId);
        }

        project.State.ExternalCompanies = after;
        await project.WriteStateAsync();
        return after.Contains(toCompanyId);
    }

    public async Task<ProjectHandOver> HandOverAsync(string targetProjectId)
    {
        EnsureCreated();
        if (!project.State.ExternalCompanies.IsEmpty)
        {
            throw new LicensingException(ErrorCodes.ProjectHasExternalRights, "The project grants rights to other companies; revoke them before joining it into another project.");
        }

        // The locks in the order CloseAsync takes them: pool, keys, balance.
        var pooled = await freePool.PerformUpdate(state =>
        {
            var lots = state.Lots;
            state.Lots = [];
            return lots;
        });
        var (redeemed, own) = await keys.PerformUpdate(state =>
        {
            var taken = (state.Redeemed, state.OwnKeys);
            state.Redeemed = [];
            state.OwnKeys = ImmutableSortedSet<string>.Empty;
            return taken;
        });
        var units = await balance.PerformUpdate(state =>
        {
            if (state.Closed || (state.JoiningInto is not null && state.JoiningInto != targetProjectId))
            {
                EnsureOpen(state);
            }

            var taken = state.Licenses;
            state.Licenses = LicenseMath.Empty;
            state.JoiningInto = targetProjectId;
            return taken;
        });
        return new ProjectHandOver(units, pooled, [.. redeemed], own);
    }

    public async Task TakeOverAsync(ProjectHandOver handOver, ImmutableSortedDictionary<string, int> ssc)
    {
        EnsureCreated();
        var projectId = this.GetPrimaryKeyString();
        await balance.PerformUpdate(state =>
        {
            EnsureOpen(state);
            var after = LicenseMath.Add(state.Licenses, handOver.Balance);
            var paid = LicenseMath.Cover(after, ssc);
            if (!paid.SequenceEqual(ssc))
            {
                var missing = LicenseMath.Subtract(ssc, paid).Select(e => $"{e.Key}={e.Value}").ToArray();
                throw new LicensingException(
                    ErrorCodes.InsufficientSsc,
                    $"The SSC balance of project {projectId} is short of {string.Join(", ", missing)} for the SSA extension.",
                    ImmutableDictionary<string, string[]>.Empty.Add("shortfall", missing));
            }

            state.Licenses = LicenseMath.Subtract(after, ssc);
        });

        if (!handOver.FreeLicenses.IsEmpty)
        {
            await freePool.PerformUpdate(state => state.Lots = state.Lots.AddRange(handOver.FreeLicenses));
        }

        if (!handOver.RedeemedKeys.IsEmpty || !handOver.OwnKeys.IsEmpty)
        {
            await keys.PerformUpdate(state =>
            {
                state.Redeemed = state.Redeemed.AddRange(handOver.RedeemedKeys.Select(key => key with { ProjectId = projectId }))
                    .Sort((a, b) => a.RedeemedAt.CompareTo(b.RedeemedAt));
                state.OwnKeys = state.OwnKeys.Union(handOver.OwnKeys);
            });
        }
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
        state.Closed ? throw LicensingException.NotFound("The project")
        : state.JoiningInto is not null ? throw new LicensingException(ErrorCodes.JoinInProgress, "The project is being joined into another; it takes no more units.")
        : true;

    private ProjectView View() => new(this.GetPrimaryKeyString(), project.State.CompanyId, project.State.Name, project.State.Description, project.State.SsaEndDate, !project.State.SsaExpiryMailsOff);
}
