using System.Collections.Immutable;
using OrleansLicensing.Contracts;

namespace OrleansLicensing.Grains.State;

[GenerateSerializer]
public sealed class CompanyState
{
    [Id(0)] public bool Created { get; set; }
    [Id(1)] public string Name { get; set; } = string.Empty;
    [Id(2)] public string DefaultProjectId { get; set; } = string.Empty;
    [Id(3)] public ImmutableSortedDictionary<string, Membership> Members { get; set; } = ImmutableSortedDictionary<string, Membership>.Empty;

    /// <summary>Project id → name, the index that keeps names unique per company (R-P1).</summary>
    [Id(4)] public ImmutableSortedDictionary<string, string> Projects { get; set; } = ImmutableSortedDictionary<string, string>.Empty;

    [Id(5)] public CompanyDetails Details { get; set; } = CompanyDetails.Empty;

    /// <summary>Memberships that were removed, oldest first (R-U4: a removed user's history stays attributable).</summary>
    [Id(6)] public ImmutableList<FormerMember> FormerMembers { get; set; } = [];

    /// <summary>Set once the company was joined into another (R-U3): it is NotFound from then on.</summary>
    [Id(7)] public bool Deleted { get; set; }

    /// <summary>While the company is being joined into another (R-U3): that company and the join's process; it refuses changes meanwhile.</summary>
    [Id(8)] public OutgoingJoin? JoiningInto { get; set; }

    /// <summary>Running joins of other companies into this one (process ids); while any runs, this company cannot be joined elsewhere.</summary>
    [Id(9)] public ImmutableSortedSet<string> IncomingJoins { get; set; } = ImmutableSortedSet<string>.Empty;

    /// <summary>Running project joins (R-P4): joined project → its target and process. A joined project refuses changes meanwhile.</summary>
    [Id(10)] public ImmutableSortedDictionary<string, ProjectJoinLock> ProjectJoins { get; set; } = ImmutableSortedDictionary<string, ProjectJoinLock>.Empty;

    /// <summary>Other companies' projects that granted this company rights (R-P2), so a company join can re-point them (R-U3).</summary>
    [Id(11)] public ImmutableSortedSet<string> ExternalProjects { get; set; } = ImmutableSortedSet<string>.Empty;
}

[GenerateSerializer, Immutable]
public sealed record OutgoingJoin(
    [property: Id(0)] string TargetCompanyId,
    [property: Id(1)] string ProcessId);

[GenerateSerializer, Immutable]
public sealed record ProjectJoinLock(
    [property: Id(0)] string TargetProjectId,
    [property: Id(1)] string ProcessId);

