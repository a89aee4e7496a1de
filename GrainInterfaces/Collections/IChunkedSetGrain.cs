using System.Collections.Immutable;

namespace OrleansLicensing.Contracts;

/// <summary>
/// A sorted set of strings (MACs) that may grow to hundreds of thousands of members: the members
/// live in chunk grains (<see cref="IChunkedSetChunkGrain"/>) that each cover a range of keys and
/// hold at most a few thousand, so adding a batch of neighbouring members writes one or two chunks,
/// never the whole set. This grain keeps the ranges (written only when a chunk splits) and is the
/// only caller of its chunks. Keyed by "{owner kind}/{owner id}", e.g. "project-devices/{projectId}".
/// </summary>
public interface IChunkedSetGrain : IGrainWithStringKey
{
    /// <summary>Adds the members (present ones are ignored).</summary>
    Task AddAsync(ImmutableArray<string> members);

    /// <summary>Removes the members (absent ones are ignored).</summary>
    Task RemoveAsync(ImmutableArray<string> members);

    Task<bool> ContainsAsync(string member);

    /// <summary>Whether the set has no member; reads chunks only until it finds one.</summary>
    Task<bool> IsEmptyAsync();

    Task<int> CountAsync();

    /// <summary>Every member, in ordinal order.</summary>
    Task<ImmutableArray<string>> ListAsync();
}
