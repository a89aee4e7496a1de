using System.Collections.Immutable;
using OrleansLicensing.Contracts;

namespace OrleansLicensing.Grains.State;

/// <summary>
/// The work list of a company join (R-U3), written by its batch 0 and never changed afterwards, so
/// every later batch is determined by it and its number.
/// </summary>
[GenerateSerializer]
public sealed class CompanyJoinWork
{
    /// <summary>What B held when it was locked; null until batch 0 locked it.</summary>
    [Id(0)] public CompanyJoinSnapshot? Snapshot { get; set; }

    /// <summary>Set once the projects changed owner and the items were listed.</summary>
    [Id(1)] public bool Listed { get; set; }

    [Id(2)] public ImmutableArray<string> Devices { get; set; } = [];
    [Id(3)] public ImmutableArray<string> Keys { get; set; } = [];
}

/// <summary>The work list of a project join (R-P4): written by batch 0 with the source locked, never changed afterwards.</summary>
[GenerateSerializer]
public sealed class ProjectJoinWork
{
    [Id(0)] public ProjectJoinPreview? Plan { get; set; }
}
