using System.Collections.Immutable;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Domain;
using OrleansLicensing.Grains.State;

namespace OrleansLicensing.Grains.Grains;

public sealed class CompanyGrain(
    [PersistentState("company", StorageNames.Licensing)] IPersistentState<CompanyState> company) : Grain, ICompanyGrain
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

        if (right is not null && !member.Admin && !member.Rights.Contains(right))
        {
            throw LicensingException.Forbidden($"This needs the right {right}.");
        }

        return Task.FromResult(member);
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
        return company.State.Projects.ContainsKey(projectId) ? Task.CompletedTask : throw LicensingException.NotFound("The project");
    }

    private CompanyGrain EnsureCreated() =>
        company.State.Created ? this : throw LicensingException.NotFound("The company");

    private CompanyView View() => new(this.GetPrimaryKeyString(), company.State.Name, company.State.DefaultProjectId);
}
