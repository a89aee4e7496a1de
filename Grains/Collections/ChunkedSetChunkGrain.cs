using System.Collections.Immutable;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.State;

namespace OrleansLicensing.Grains.Grains;

/// <summary>One key range of a chunked set (<see cref="IChunkedSetChunkGrain"/>); only its set calls it.</summary>
public sealed class ChunkedSetChunkGrain(
    [PersistentState("chunkedSetChunk", StorageNames.Licensing)] IPersistentState<ChunkedSetChunkState> chunk) : Grain, IChunkedSetChunkGrain
{
    public async Task<int> AddAsync(ImmutableArray<string> members, string lower, string? upper)
    {
        var before = chunk.State.Members;
        var after = InRange(before, lower, upper).Union(members);
        if (after.Count != before.Count || !after.SetEquals(before))
        {
            chunk.State.Members = after;
            await chunk.WriteStateAsync();
        }

        return after.Count;
    }

    public async Task RemoveAsync(ImmutableArray<string> members, string lower, string? upper)
    {
        var before = chunk.State.Members;
        var after = InRange(before, lower, upper).Except(members);
        if (after.Count != before.Count)
        {
            chunk.State.Members = after;
            await chunk.WriteStateAsync();
        }
    }

    public async Task SetAsync(ImmutableArray<string> members)
    {
        chunk.State.Members = ImmutableSortedSet.CreateRange(StringComparer.Ordinal, members);
        await chunk.WriteStateAsync();
    }

    public Task<bool> ContainsAsync(string member, string lower, string? upper) =>
        Task.FromResult(chunk.State.Members.Contains(member) && ChunkedSetRanges.Covers(member, lower, upper));

    public Task<int> CountAsync(string lower, string? upper) => Task.FromResult(InRange(chunk.State.Members, lower, upper).Count);

    public Task<ImmutableArray<string>> ListAsync(string lower, string? upper) => Task.FromResult(InRange(chunk.State.Members, lower, upper).ToImmutableArray());

    private static ImmutableSortedSet<string> InRange(ImmutableSortedSet<string> members, string lower, string? upper)
    {
        if (members.IsEmpty || (ChunkedSetRanges.Covers(members.Min!, lower, upper) && ChunkedSetRanges.Covers(members.Max!, lower, upper)))
        {
            return members;
        }

        return members.Where(m => ChunkedSetRanges.Covers(m, lower, upper)).ToImmutableSortedSet(StringComparer.Ordinal);
    }
}

internal static class ChunkedSetRanges
{
    public static bool Covers(string key, string lower, string? upper) =>
        string.CompareOrdinal(key, lower) >= 0 && (upper is null || string.CompareOrdinal(key, upper) < 0);
}
