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
    /// What an API key of this company (<paramref name="keyActor"/>, holding <paramref name="keyRights"/>)
    /// may do here: the company-level checks users get (NotFound once the company is gone, e.g.
    /// joined into another; <see cref="ErrorCodes.JoinInProgress"/> while it is being joined), then
    /// <paramref name="right"/> among the key's rights (Forbidden otherwise; never an admin-only route).
    /// Returns the key's membership: not an admin, not locked, its own rights.
    /// </summary>
    Task<Membership> AuthorizeApiKeyAsync(string keyActor, ImmutableSortedSet<string> keyRights, string? right);

    /// <summary>
    /// Creates a project (R-P1). With <paramref name="projectId"/> (derived from an idempotency
    /// key) a retry that finds that project with the same name returns it.
    /// </summary>
    Task<ProjectView> CreateProjectAsync(string name, string? description, string? projectId = null);

    Task<ImmutableArray<ProjectView>> ListProjectsAsync();

    /// <summary>NotFound unless the project belongs to this company.</summary>
    Task EnsureOwnsProjectAsync(string projectId);

    /// <summary>
    /// Renames and/or describes one of the company's projects (R-P1): names stay unique per
    /// company, case-insensitively (<see cref="ErrorCodes.DuplicateProjectName"/>).
    /// </summary>
    Task<ProjectView> UpdateProjectAsync(string projectId, string? name, string? description);

    /// <summary>
    /// Deletes one of the company's projects (R-P3) when it is empty, in one transaction with the
    /// check (<see cref="ErrorCodes.ProjectNotEmpty"/>); the company's default project cannot be
    /// deleted (<see cref="ErrorCodes.Conflict"/>).
    /// </summary>
    Task DeleteProjectAsync(string projectId);

    /// <summary>The sum of the balances of the company's own projects (R-P5).</summary>
    Task<ImmutableSortedDictionary<string, int>> GetBalanceAsync();

    /// <summary>The keys redeemed into any of the company's projects, newest first (R-K2).</summary>
    Task<ImmutableArray<RedeemedKey>> ListRedeemedKeysAsync();

    /// <summary>Edits the company's data; <paramref name="actorEmail"/> must be an unlocked admin (R-U2).</summary>
    Task<CompanyView> UpdateAsync(string actorEmail, CompanyChanges changes);

    /// <summary>The current members (removed ones are kept apart, R-U4), ordered by e-mail.</summary>
    Task<ImmutableArray<Membership>> ListMembersAsync();

    /// <summary>Removed memberships, oldest first (R-U4: kept so a removed user's history stays attributable).</summary>
    Task<ImmutableArray<FormerMember>> ListFormerMembersAsync();

    /// <summary>
    /// Adds an activated account as a member (R-U2: by an unlocked admin). No account →
    /// <see cref="ErrorCodes.UserNotFound"/>; already a member → <see cref="ErrorCodes.Conflict"/>.
    /// </summary>
    Task<Membership> AddMemberAsync(string actorEmail, string email, bool admin, bool locked, ImmutableSortedSet<string> rights);

    /// <summary>
    /// Changes a member's flags or rights (R-U2: by an unlocked admin). Locking or demoting the
    /// last unlocked admin → <see cref="ErrorCodes.LastAdmin"/>.
    /// </summary>
    Task<Membership> UpdateMemberAsync(string actorEmail, string email, MemberChanges changes);

    /// <summary>
    /// Removes a member (R-U2: by an unlocked admin), keeping the record of the former
    /// membership (R-U4). The last unlocked admin → <see cref="ErrorCodes.LastAdmin"/>. Removing
    /// a former member again succeeds (a retried request).
    /// </summary>
    Task RemoveMemberAsync(string actorEmail, string email);

    /// <summary>Moves a membership to the member's new e-mail address (R-U5 e-mail change; idempotent).</summary>
    Task ChangeMemberEmailAsync(string oldEmail, string newEmail);

    /// <summary>
    /// Locks the company for a join into <paramref name="targetCompanyId"/> (R-U3) and returns what it holds.
    /// From then on it refuses changes (<see cref="ErrorCodes.JoinInProgress"/>). Locking again for the
    /// same process returns the snapshot again; while another join or a project join runs, JoinInProgress.
    /// </summary>
    Task<CompanyJoinSnapshot> LockForJoinAsync(string targetCompanyId, string processId);

    /// <summary>Records a join of another company into this one; <see cref="ErrorCodes.JoinInProgress"/> while this company is itself being joined elsewhere.</summary>
    Task AcceptIncomingJoinAsync(string processId);

    /// <summary>
    /// Takes over a project of a joined company (R-U3) under <paramref name="name"/>, or that name with
    /// the first free suffix " (2)", " (3)", … when it clashes. Adopting a project it owns already returns it.
    /// </summary>
    Task<ProjectView> AdoptProjectAsync(string projectId, string fromCompanyId, string name);

    /// <summary>Forgets a project another company adopted during this company's join (idempotent).</summary>
    Task ReleaseProjectAsync(string projectId);

    /// <summary>Notes that another company's project granted (or revoked) this company rights (R-P2).</summary>
    Task NoteExternalRightAsync(string projectId, bool granted);

    /// <summary>
    /// Adds the members of a joined company (R-U3): a user who is a member here already keeps this
    /// company's membership; the others join with their flags and rights. Their former members are
    /// kept too (R-U4). Idempotent.
    /// </summary>
    Task MergeMembersAsync(ImmutableArray<Membership> members, ImmutableArray<FormerMember> formerMembers);

    /// <summary>Ends this company after its join (R-U3): it is NotFound from then on and leaves its members' company lists. Idempotent.</summary>
    Task CompleteJoinAsync(string processId);

    /// <summary>Forgets an incoming join that ended (idempotent).</summary>
    Task EndIncomingJoinAsync(string processId);

    /// <summary>
    /// Locks <paramref name="sourceProjectId"/> for a join into <paramref name="targetProjectId"/> (R-P4): both
    /// must be the company's, the source not its default project, neither side part of another
    /// running join in the other role (<see cref="ErrorCodes.JoinInProgress"/>). Idempotent per process.
    /// </summary>
    Task LockProjectForJoinAsync(string sourceProjectId, string targetProjectId, string processId);

    /// <summary>Ends a project join: unlocks the source and, when <paramref name="deleted"/>, forgets it (idempotent).</summary>
    Task EndProjectJoinAsync(string sourceProjectId, string processId, bool deleted);
}
