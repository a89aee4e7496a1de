using System.Collections.Immutable;

namespace OrleansLicensing.Contracts;

/// <summary>A device a search found and why (<see cref="MatchedBy"/>: mac, name, comment or licenseType).</summary>
[GenerateSerializer, Immutable]
public sealed record SearchDeviceHit(
    [property: Id(0)] string Mac,
    [property: Id(1)] string? ProjectId,
    [property: Id(2)] string? Name,
    [property: Id(3)] string? Comment,
    [property: Id(4)] ImmutableSortedDictionary<string, int> Licenses,
    [property: Id(5)] string MatchedBy);

[GenerateSerializer, Immutable]
public sealed record SearchProjectHit(
    [property: Id(0)] string ProjectId,
    [property: Id(1)] string Name,
    [property: Id(2)] string? Description);

[GenerateSerializer, Immutable]
public sealed record SearchKeyHit(
    [property: Id(0)] string Key,
    [property: Id(1)] string? ProjectId,
    [property: Id(2)] string? Comment,
    [property: Id(3)] ImmutableSortedDictionary<string, int> Licenses);

/// <summary>What a search found, each list capped at <see cref="ISearchIndexGrain.MaxHits"/>; <see cref="Truncated"/> when a list was cut.</summary>
[GenerateSerializer, Immutable]
public sealed record SearchResult(
    [property: Id(0)] ImmutableArray<SearchDeviceHit> Devices,
    [property: Id(1)] ImmutableArray<SearchProjectHit> Projects,
    [property: Id(2)] ImmutableArray<SearchKeyHit> Keys,
    [property: Id(3)] bool Truncated);

/// <summary>What changed and needs indexing again: devices by MAC, projects by id, own keys by code.</summary>
[GenerateSerializer, Immutable]
public sealed record SearchChanges(
    [property: Id(0)] ImmutableArray<string> Macs,
    [property: Id(1)] ImmutableArray<string> ProjectIds,
    [property: Id(2)] ImmutableArray<string> Keys)
{
    public bool IsEmpty => Macs.IsDefaultOrEmpty && ProjectIds.IsDefaultOrEmpty && Keys.IsDefaultOrEmpty;
}
