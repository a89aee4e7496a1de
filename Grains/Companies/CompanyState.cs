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
}

