using System.Collections.Immutable;

namespace OrleansLicensing.Contracts;

/// <summary>
/// One chunk of an <see cref="IChunkedSetGrain"/>, keyed "{set key}#{chunk number}". Its set tells
/// it the range it covers on every call, [<c>lower</c>, <c>upper</c>) with <c>upper</c> null for
/// no end: members outside it (left behind by a split that stopped half-way) are ignored and dropped
/// on the next write, so the chunk that now covers them is the only one that counts.
/// </summary>
public interface IChunkedSetChunkGrain : IGrainWithStringKey
{
    /// <summary>Adds the members and answers how many the chunk holds in its range; one storage write when something changed.</summary>
    Task<int> AddAsync(ImmutableArray<string> members, string lower, string? upper);

    /// <summary>Removes the members; one storage write when something changed.</summary>
    Task RemoveAsync(ImmutableArray<string> members, string lower, string? upper);

    /// <summary>Replaces the chunk's members (a split writes the new chunks with it).</summary>
    Task SetAsync(ImmutableArray<string> members);

    Task<bool> ContainsAsync(string member, string lower, string? upper);

    Task<int> CountAsync(string lower, string? upper);

    Task<ImmutableArray<string>> ListAsync(string lower, string? upper);
}
