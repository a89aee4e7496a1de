using System.Collections.Immutable;
using OrleansLicensing.Contracts;

namespace OrleansLicensing.Grains.State;

[GenerateSerializer]
public sealed class ProjectState
{
    [Id(0)] public bool Created { get; set; }
    [Id(1)] public string CompanyId { get; set; } = string.Empty;
    [Id(2)] public string Name { get; set; } = string.Empty;
    [Id(3)] public string? Description { get; set; }
    [Id(4)] public DateOnly? SsaEndDate { get; set; }
    [Id(5)] public ImmutableSortedSet<string> Devices { get; set; } = ImmutableSortedSet<string>.Empty;
}

/// <summary>A project's balance (R-P5); changed only inside transactions.</summary>
[GenerateSerializer]
public sealed class BalanceState
{
    [Id(0)] public ImmutableSortedDictionary<string, int> Licenses { get; set; } = ImmutableSortedDictionary.Create<string, int>(StringComparer.Ordinal);
}

/// <summary>Lots returned from devices, waiting in a project (R-V5, R-V6); changed only inside transactions.</summary>
[GenerateSerializer]
public sealed class FreePoolState
{
    [Id(0)] public ImmutableArray<LicenseLot> Lots { get; set; } = [];
}
