using System.Collections.Immutable;

namespace OrleansLicensing.Contracts;

/// <summary>A company: members, rights and the index of its projects (R-U*, R-P1).</summary>
public interface ICompanyGrain : IGrainWithStringKey
{
    /// <summary>
    /// Creates the company with its creator as admin and a project named DEFAULT. Creating it
    /// again with the same name and creator returns it (a retried request); otherwise Conflict.
    /// </summary>
    Task<CompanyView> CreateAsync(string name, string creatorEmail);

    Task<CompanyView> GetAsync();

    /// <summary>
    /// The caller's membership when the caller may act in this company (and holds
    /// <paramref name="right"/> when given); otherwise NotFound, Forbidden or UserLocked.
    /// </summary>
    Task<Membership> AuthorizeAsync(string email, string? right);

    /// <summary>
    /// Creates a project (R-P1). With <paramref name="projectId"/> (derived from an idempotency
    /// key) a retry that finds that project with the same name returns it.
    /// </summary>
    Task<ProjectView> CreateProjectAsync(string name, string? description, string? projectId = null);

    Task<ImmutableArray<ProjectView>> ListProjectsAsync();

    /// <summary>NotFound unless the project belongs to this company.</summary>
    Task EnsureOwnsProjectAsync(string projectId);
}
