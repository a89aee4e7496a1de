using System.Collections.Immutable;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Domain;
using OrleansLicensing.Grains.History;
using OrleansLicensing.Grains.State;

namespace OrleansLicensing.Grains.Grains;

public sealed class CompanyGrain(
    [PersistentState("company", StorageNames.Licensing)] IPersistentState<CompanyState> company,
    TimeProvider time,
    ChangeFeed feed) : Grain, ICompanyGrain
{
    public const string DefaultProjectName = "DEFAULT";

    public async Task<CompanyView> CreateAsync(string name, string creatorEmail)
    {
        if (company.State.Created)
        {
            if (company.State.Name == name && company.State.Members.TryGetValue(creatorEmail, out var member) && member.Admin)
            {
                // A retry of the same create: finish what the first attempt may not have.
                await GrainFactory.GetGrain<IUserGrain>(creatorEmail).AddCompanyAsync(this.GetPrimaryKeyString());
                return View();
            }

            throw new LicensingException(ErrorCodes.IdempotencyKeyReused, "The company exists with other data; this Idempotency-Key was used for a different request.");
        }

        // The project is created first: a crash before the company's write leaves an orphan
        // project nobody references, never a company without its DEFAULT project.
        var projectId = Codes.NewId();
        await GrainFactory.GetGrain<IProjectGrain>(projectId).InitializeAsync(this.GetPrimaryKeyString(), DefaultProjectName, null);

        company.State.Created = true;
        company.State.Name = name;
        company.State.DefaultProjectId = projectId;
        company.State.Members = company.State.Members.SetItem(creatorEmail, new Membership(creatorEmail, Admin: true, Locked: false, CompanyRights.All));
        company.State.Projects = company.State.Projects.SetItem(projectId, DefaultProjectName);
        await company.WriteStateAsync();
        await feed.RecordAsync(
            feed.Event(CompanyId, HistoryActions.CompanyCreated, details: ChangeFeed.Details(("name", name))) with { User = creatorEmail },
            feed.Event(CompanyId, HistoryActions.ProjectCreated, projectId, details: ChangeFeed.Details(("name", DefaultProjectName))) with { User = creatorEmail });

        await GrainFactory.GetGrain<IUserGrain>(creatorEmail).AddCompanyAsync(this.GetPrimaryKeyString());
        return View();
    }

    public Task<CompanyView> GetAsync() => Task.FromResult(EnsureCreated().View());

    public Task<Membership> AuthorizeAsync(string email, string? right)
    {
        EnsureCreated();
        if (!company.State.Members.TryGetValue(email, out var member))
        {
            // Outsiders learn nothing about the company, not even that it exists.
            throw LicensingException.NotFound("The company");
        }

        if (member.Locked)
        {
            throw new LicensingException(ErrorCodes.UserLocked, "Your account is locked in this company.");
        }

        EnsureNotBeingJoined();
        var allowed = right is null || (right == CompanyRights.AdminOnly ? member.Admin : member.EffectiveRights.Contains(right));
        if (!allowed)
        {
            throw LicensingException.Forbidden(right == CompanyRights.AdminOnly ? "Only company admins may do this." : $"This needs the right {right}.");
        }

        return Task.FromResult(member);
    }

    public Task<Membership> AuthorizeApiKeyAsync(string keyActor, ImmutableSortedSet<string> keyRights, string? right)
    {
        EnsureCreated();
        EnsureNotBeingJoined();
        if (right == CompanyRights.AdminOnly)
        {
            throw LicensingException.Forbidden("API keys may not do what only company admins may do.");
        }

        if (right is not null && !keyRights.Contains(right))
        {
            throw LicensingException.Forbidden($"This needs the right {right}, which the API key was not given.");
        }

        return Task.FromResult(new Membership(keyActor, Admin: false, Locked: false, keyRights));
    }

    public async Task<ProjectView> CreateProjectAsync(string name, string? description, string? projectId = null)
    {
        EnsureCreated();
        if (projectId is not null && company.State.Projects.TryGetValue(projectId, out var existingName))
        {
            return existingName == name
                ? await GrainFactory.GetGrain<IProjectGrain>(projectId).GetAsync()
                : throw new LicensingException(ErrorCodes.IdempotencyKeyReused, "This Idempotency-Key created a different project.");
        }

        if (company.State.Projects.Values.Any(existing => string.Equals(existing, name, StringComparison.OrdinalIgnoreCase)))
        {
            throw new LicensingException(ErrorCodes.DuplicateProjectName, $"The company already has a project named '{name}'.");
        }

        projectId ??= Codes.NewId();
        var view = await GrainFactory.GetGrain<IProjectGrain>(projectId).InitializeAsync(this.GetPrimaryKeyString(), name, description);
        company.State.Projects = company.State.Projects.SetItem(projectId, name);
        await company.WriteStateAsync();
        await feed.RecordAsync(feed.Event(CompanyId, HistoryActions.ProjectCreated, projectId, details: ChangeFeed.Details(("name", name), ("description", description))));
        return view;
    }

    public async Task<ImmutableArray<ProjectView>> ListProjectsAsync()
    {
        EnsureCreated();
        var views = await Task.WhenAll(company.State.Projects.Keys.Select(id => GrainFactory.GetGrain<IProjectGrain>(id).GetAsync()));
        return [.. views.OrderBy(v => v.Name, StringComparer.OrdinalIgnoreCase)];
    }

    public Task EnsureOwnsProjectAsync(string projectId)
    {
        EnsureCreated();
        if (!company.State.Projects.ContainsKey(projectId))
        {
            throw LicensingException.NotFound("The project");
        }

        // A join moves what the project or company holds: nothing may change it meanwhile (R-U3, R-P4).
        if (company.State.JoiningInto is not null || company.State.ProjectJoins.ContainsKey(projectId))
        {
            throw new LicensingException(ErrorCodes.JoinInProgress, "The project is being joined into another; it refuses changes until the join ends.");
        }

        return Task.CompletedTask;
    }

    public async Task<ProjectView> UpdateProjectAsync(string projectId, string? name, string? description)
    {
        await EnsureOwnsProjectAsync(projectId);
        if (name is not null && company.State.Projects.Any(p => p.Key != projectId && string.Equals(p.Value, name, StringComparison.OrdinalIgnoreCase)))
        {
            throw new LicensingException(ErrorCodes.DuplicateProjectName, $"The company already has a project named '{name}'.");
        }

        // The project is written first: should the index write fail, a retry finds the name taken
        // only by this project itself and completes it. The grain is not reentrant, so no other
        // create or rename of this company runs in between.
        var view = await GrainFactory.GetGrain<IProjectGrain>(projectId).UpdateAsync(name, description);
        if (company.State.Projects[projectId] != view.Name)
        {
            company.State.Projects = company.State.Projects.SetItem(projectId, view.Name);
            await company.WriteStateAsync();
        }

        await feed.RecordAsync(feed.Event(CompanyId, HistoryActions.ProjectUpdated, projectId, details: ChangeFeed.Details(("name", name), ("description", description))));
        return view;
    }

    public async Task DeleteProjectAsync(string projectId)
    {
        await EnsureOwnsProjectAsync(projectId);
        if (projectId == company.State.DefaultProjectId)
        {
            throw new LicensingException(ErrorCodes.Conflict, "The company's default project cannot be deleted; rename it instead.");
        }

        // The emptiness check and the closing are one transaction (R-P3); what follows only
        // hides the closed project and repeats harmlessly when a retried delete finds it closed.
        await GrainFactory.GetGrain<ILedgerGrain>(0).CloseProjectAsync(projectId);
        await GrainFactory.GetGrain<IProjectGrain>(projectId).MarkDeletedAsync();
        company.State.Projects = company.State.Projects.Remove(projectId);
        await company.WriteStateAsync();
        await feed.RecordAsync(feed.Event(CompanyId, HistoryActions.ProjectDeleted, projectId));
    }

    public async Task<ImmutableSortedDictionary<string, int>> GetBalanceAsync()
    {
        EnsureCreated();
        var balances = await Task.WhenAll(company.State.Projects.Keys.Select(id => GrainFactory.GetGrain<IProjectGrain>(id).GetBalanceAsync()));
        return balances.Aggregate(LicenseMath.Empty, LicenseMath.Add);
    }

    public async Task<ImmutableArray<RedeemedKey>> ListRedeemedKeysAsync()
    {
        EnsureCreated();
        var lists = await Task.WhenAll(company.State.Projects.Keys.Select(id => GrainFactory.GetGrain<IProjectGrain>(id).ListRedeemedKeysAsync()));
        return [.. lists.SelectMany(list => list).OrderByDescending(key => key.RedeemedAt)];
    }

    public async Task<CompanyView> UpdateAsync(string actorEmail, CompanyChanges changes)
    {
        EnsureCreated();
        MembershipRules.EnsureAdmin(company.State.Members, actorEmail);
        var details = company.State.Details;
        company.State.Name = changes.Name ?? company.State.Name;
        company.State.Details = new CompanyDetails(
            Change(details.Street, changes.Street),
            Change(details.PostalCode, changes.PostalCode),
            Change(details.City, changes.City),
            Change(details.Country, changes.Country),
            Change(details.Phone, changes.Phone));
        await company.WriteStateAsync();
        await feed.RecordAsync(feed.Event(CompanyId, HistoryActions.CompanyUpdated, details: ChangeFeed.Details(
            ("name", changes.Name), ("street", changes.Street), ("postalCode", changes.PostalCode), ("city", changes.City), ("country", changes.Country), ("phone", changes.Phone))) with { User = actorEmail });
        return View();

        static string? Change(string? current, string? requested) => requested is null ? current : requested.Length == 0 ? null : requested;
    }

    public Task<ImmutableArray<Membership>> ListMembersAsync()
    {
        EnsureCreated();
        return Task.FromResult(company.State.Members.Values.ToImmutableArray());
    }

    public Task<ImmutableArray<FormerMember>> ListFormerMembersAsync()
    {
        EnsureCreated();
        return Task.FromResult(company.State.FormerMembers.ToImmutableArray());
    }

    public async Task<Membership> AddMemberAsync(string actorEmail, string email, bool admin, bool locked, ImmutableSortedSet<string> rights)
    {
        EnsureCreated();
        MembershipRules.EnsureAdmin(company.State.Members, actorEmail);
        var member = new Membership(email, admin, locked, MembershipRules.ValidRights(rights));
        if (company.State.Members.ContainsKey(email))
        {
            throw new LicensingException(ErrorCodes.Conflict, "This user is already a member of the company; change the membership instead.");
        }

        // Only activated accounts can be added (decision: no invitations of unknown addresses).
        var account = GrainFactory.GetGrain<IUserGrain>(email);
        if (!(await account.GetAsync()).Activated)
        {
            throw new LicensingException(ErrorCodes.UserNotFound, "No activated account has this e-mail address.");
        }

        // The user's list of companies is written first: it may name a company a moment before
        // the membership exists, never miss one; access is decided here, by the membership.
        await account.AddCompanyAsync(this.GetPrimaryKeyString());
        company.State.Members = company.State.Members.SetItem(email, member);
        await company.WriteStateAsync();
        await feed.RecordAsync(feed.Event(CompanyId, HistoryActions.MemberAdded, details: MemberDetails(member)) with { User = actorEmail });
        return member;
    }

    public async Task<Membership> UpdateMemberAsync(string actorEmail, string email, MemberChanges changes)
    {
        EnsureCreated();
        MembershipRules.EnsureAdmin(company.State.Members, actorEmail);
        if (!company.State.Members.TryGetValue(email, out var current))
        {
            throw LicensingException.NotFound("The member");
        }

        var after = new Membership(
            email,
            changes.Admin ?? current.Admin,
            changes.Locked ?? current.Locked,
            changes.Rights is null ? current.Rights : MembershipRules.ValidRights(changes.Rights));
        MembershipRules.EnsureAnUnlockedAdminRemains(company.State.Members, email, after);
        if (after != current)
        {
            if (after.Locked && !current.Locked)
            {
                // A lock ends the member's tokens first (refused within a second on every gateway).
                await GrainFactory.GetGrain<IUserGrain>(email).RevokeTokensAsync();
            }

            company.State.Members = company.State.Members.SetItem(email, after);
            await company.WriteStateAsync();
            await feed.RecordAsync(feed.Event(CompanyId, HistoryActions.MemberUpdated, details: MemberDetails(after)) with { User = actorEmail });
        }

        return after;
    }

    public async Task RemoveMemberAsync(string actorEmail, string email)
    {
        EnsureCreated();
        MembershipRules.EnsureAdmin(company.State.Members, actorEmail);
        if (company.State.Members.TryGetValue(email, out var current))
        {
            MembershipRules.EnsureAnUnlockedAdminRemains(company.State.Members, email, after: null);

            // Removal ends the member's tokens first (refused within a second on every gateway).
            await GrainFactory.GetGrain<IUserGrain>(email).RevokeTokensAsync();
            company.State.Members = company.State.Members.Remove(email);
            company.State.FormerMembers = company.State.FormerMembers.Add(new FormerMember(current, time.GetUtcNow(), actorEmail));
            await company.WriteStateAsync();
            await feed.RecordAsync(feed.Event(CompanyId, HistoryActions.MemberRemoved, details: ChangeFeed.Details(("member", email))) with { User = actorEmail });
        }
        else if (!company.State.FormerMembers.Any(f => f.Membership.Email == email))
        {
            throw LicensingException.NotFound("The member");
        }

        // Also on a repeat: the user's list may still name the company if the first attempt stopped here.
        await GrainFactory.GetGrain<IUserGrain>(email).RemoveCompanyAsync(this.GetPrimaryKeyString());
    }

    public async Task ChangeMemberEmailAsync(string oldEmail, string newEmail)
    {
        if (!company.State.Created || !company.State.Members.TryGetValue(oldEmail, out var member))
        {
            return;
        }

        var members = company.State.Members.Remove(oldEmail);
        if (!members.ContainsKey(newEmail))
        {
            members = members.SetItem(newEmail, member with { Email = newEmail });
        }

        company.State.Members = members;
        await company.WriteStateAsync();
        await feed.RecordAsync(feed.Event(CompanyId, HistoryActions.AccountChanged, details: ChangeFeed.Details(("email", newEmail), ("previousEmail", oldEmail))) with { User = newEmail });
    }

    public async Task<CompanyJoinSnapshot> LockForJoinAsync(string targetCompanyId, string processId)
    {
        EnsureCreated();
        var state = company.State;
        if (state.JoiningInto is null)
        {
            JoinRules.EnsureCanBeLocked(this.GetPrimaryKeyString(), targetCompanyId, state.IncomingJoins.Count, state.ProjectJoins.Count);
            state.JoiningInto = new OutgoingJoin(targetCompanyId, processId);
            await company.WriteStateAsync();
        }
        else if (state.JoiningInto != new OutgoingJoin(targetCompanyId, processId))
        {
            throw new LicensingException(ErrorCodes.JoinInProgress, "The company is already being joined into another.");
        }

        return new CompanyJoinSnapshot(state.Projects, state.ExternalProjects, [.. state.Members.Values], [.. state.FormerMembers]);
    }

    public async Task AcceptIncomingJoinAsync(string processId)
    {
        EnsureCreated();
        if (company.State.JoiningInto is not null)
        {
            throw new LicensingException(ErrorCodes.JoinInProgress, "The company is itself being joined into another.");
        }

        if (!company.State.IncomingJoins.Contains(processId))
        {
            company.State.IncomingJoins = company.State.IncomingJoins.Add(processId);
            await company.WriteStateAsync();
        }
    }

    public async Task<ProjectView> AdoptProjectAsync(string projectId, string fromCompanyId, string name)
    {
        EnsureCreated();
        var project = GrainFactory.GetGrain<IProjectGrain>(projectId);
        if (company.State.Projects.ContainsKey(projectId))
        {
            return await project.GetAsync();
        }

        var unique = JoinRules.UniqueProjectName(name, company.State.Projects.Values);

        // The project first: should the index write fail, a retry finds it owned by this company already and completes.
        var view = await project.ChangeOwnerAsync(fromCompanyId, this.GetPrimaryKeyString(), unique);
        company.State.Projects = company.State.Projects.SetItem(projectId, view.Name);
        company.State.ExternalProjects = company.State.ExternalProjects.Remove(projectId);
        await company.WriteStateAsync();
        return view;
    }

    public async Task ReleaseProjectAsync(string projectId)
    {
        if (company.State.Projects.ContainsKey(projectId))
        {
            company.State.Projects = company.State.Projects.Remove(projectId);
            await company.WriteStateAsync();
        }
    }

    public async Task NoteExternalRightAsync(string projectId, bool granted)
    {
        var after = granted ? company.State.ExternalProjects.Add(projectId) : company.State.ExternalProjects.Remove(projectId);
        if (after != company.State.ExternalProjects)
        {
            company.State.ExternalProjects = after;
            await company.WriteStateAsync();
        }
    }

    public async Task MergeMembersAsync(ImmutableArray<Membership> members, ImmutableArray<FormerMember> formerMembers)
    {
        EnsureCreated();
        var companyId = this.GetPrimaryKeyString();
        var joining = members.Where(m => !company.State.Members.ContainsKey(m.Email)).ToArray();

        // As for a new member: the user's list first, it may name the company a moment early, never miss it.
        foreach (var member in joining)
        {
            await GrainFactory.GetGrain<IUserGrain>(member.Email).AddCompanyAsync(companyId);
        }

        var known = company.State.FormerMembers.ToHashSet();
        var merged = company.State.Members.SetItems(joining.Select(m => KeyValuePair.Create(m.Email, m)));
        var former = company.State.FormerMembers.AddRange(formerMembers.Where(f => !known.Contains(f)));
        if (merged != company.State.Members || former != company.State.FormerMembers)
        {
            company.State.Members = merged;
            company.State.FormerMembers = former;
            await company.WriteStateAsync();
        }
    }

    public async Task CompleteJoinAsync(string processId)
    {
        if (company.State.JoiningInto?.ProcessId != processId)
        {
            if (company.State.Deleted)
            {
                return;
            }

            throw new LicensingException(ErrorCodes.Conflict, "The company is not being joined by this process.");
        }

        var companyId = this.GetPrimaryKeyString();
        foreach (var email in company.State.Members.Keys)
        {
            await GrainFactory.GetGrain<IUserGrain>(email).RemoveCompanyAsync(companyId);
        }

        company.State.Deleted = true;
        await company.WriteStateAsync();
    }

    public async Task EndIncomingJoinAsync(string processId)
    {
        if (company.State.IncomingJoins.Contains(processId))
        {
            company.State.IncomingJoins = company.State.IncomingJoins.Remove(processId);
            await company.WriteStateAsync();
        }
    }

    public async Task LockProjectForJoinAsync(string sourceProjectId, string targetProjectId, string processId)
    {
        EnsureCreated();
        if (company.State.ProjectJoins.TryGetValue(sourceProjectId, out var existing))
        {
            if (existing.ProcessId == processId)
            {
                return;
            }

            throw new LicensingException(ErrorCodes.JoinInProgress, "The project is already being joined into another.");
        }

        if (company.State.JoiningInto is not null)
        {
            throw new LicensingException(ErrorCodes.JoinInProgress, "The company is being joined into another.");
        }

        JoinRules.EnsureProjectJoinAllowed(
            sourceProjectId, targetProjectId, company.State.DefaultProjectId, company.State.Projects.Keys, company.State.ProjectJoins.Select(j => (j.Key, j.Value.TargetProjectId)));
        company.State.ProjectJoins = company.State.ProjectJoins.SetItem(sourceProjectId, new ProjectJoinLock(targetProjectId, processId));
        await company.WriteStateAsync();
    }

    public async Task EndProjectJoinAsync(string sourceProjectId, string processId, bool deleted)
    {
        var locked = company.State.ProjectJoins.TryGetValue(sourceProjectId, out var existing) && existing.ProcessId == processId;
        if (!locked && !(deleted && company.State.Projects.ContainsKey(sourceProjectId)))
        {
            return;
        }

        if (locked)
        {
            company.State.ProjectJoins = company.State.ProjectJoins.Remove(sourceProjectId);
        }

        if (deleted)
        {
            company.State.Projects = company.State.Projects.Remove(sourceProjectId);
        }

        await company.WriteStateAsync();
    }

    private string CompanyId => this.GetPrimaryKeyString();

    private static System.Collections.Immutable.ImmutableSortedDictionary<string, string> MemberDetails(Membership member) => ChangeFeed.Details(
        ("member", member.Email), ("admin", member.Admin.ToString()), ("locked", member.Locked.ToString()), ("rights", string.Join(",", member.Rights)));

    private void EnsureNotBeingJoined()
    {
        if (company.State.JoiningInto is { } join)
        {
            throw new LicensingException(ErrorCodes.JoinInProgress, $"The company is being joined into company {join.TargetCompanyId}; it refuses changes until the join ends.");
        }
    }

    private CompanyGrain EnsureCreated() =>
        company.State.Created && !company.State.Deleted ? this : throw LicensingException.NotFound("The company");

    private CompanyView View() => new(this.GetPrimaryKeyString(), company.State.Name, company.State.DefaultProjectId, company.State.Details);
}
