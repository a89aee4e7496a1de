using System.Collections.Immutable;
using OrleansLicensing.Contracts;

namespace OrleansLicensing.Grains.State;

[GenerateSerializer]
public sealed class UserState
{
    [Id(0)] public bool Registered { get; set; }
    [Id(1)] public string DisplayName { get; set; } = string.Empty;
    [Id(2)] public string Language { get; set; } = "en";
    [Id(3)] public string PasswordHash { get; set; } = string.Empty;
    [Id(4)] public ImmutableArray<string> CompanyIds { get; set; } = [];
}
