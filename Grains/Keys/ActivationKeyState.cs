using System.Collections.Immutable;
using OrleansLicensing.Contracts;

namespace OrleansLicensing.Grains.State;

/// <summary>An activation key; changed only inside transactions.</summary>
[GenerateSerializer]
public sealed class ActivationKeyState
{
    [Id(0)] public bool Minted { get; set; }
    [Id(1)] public ImmutableSortedDictionary<string, int> Licenses { get; set; } = ImmutableSortedDictionary.Create<string, int>(StringComparer.Ordinal);
    [Id(2)] public string? OrderNumber { get; set; }
    [Id(3)] public DateTimeOffset MintedAt { get; set; }
    [Id(4)] public string? AssignedCompanyId { get; set; }
    [Id(5)] public string? AssignedProjectId { get; set; }
    [Id(6)] public string? Comment { get; set; }
    [Id(7)] public DateTimeOffset? AssignedAt { get; set; }

    /// <summary>Set for own keys (R-K3): the company and project whose balance paid for it.</summary>
    [Id(8)] public string? OwnerCompanyId { get; set; }
    [Id(9)] public string? OwnerProjectId { get; set; }
    [Id(10)] public string? OwnComment { get; set; }
    [Id(11)] public string? OrderReference { get; set; }
    [Id(12)] public bool Deleted { get; set; }
}
