using System.Collections.Immutable;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.State;

namespace OrleansLicensing.Grains.Grains;

/// <summary>
/// A sorted set kept in key-range chunks of at most <see cref="MaxChunk"/> members
/// (<see cref="IChunkedSetGrain"/>). A chunk that grows beyond that splits into pieces of about
/// half of it: the new chunks are written first, then the ranges, then the old chunk drops what it
/// no longer covers. A split cut short by a crash leaves either an orphan chunk that no range
/// points to (the next split overwrites it) or members the old chunk no longer covers (ignored and
/// dropped on its next write) — never a member lost or listed twice.
/// Not reentrant: one change at a time, which is what keeps the ranges and the chunks in step.
/// </summary>
public sealed class ChunkedSetGrain(
    [PersistentState("chunkedSet", StorageNames.Licensing)] IPersistentState<ChunkedSetState> ranges) : Grain, IChunkedSetGrain
{
    /// <summary>Members a chunk holds before it splits; a write of a full chunk is about 40 KB of MACs.</summary>
    public const int MaxChunk = 2_000;

    private ChunkedSetState Ranges => ranges.State;

    public async Task AddAsync(ImmutableArray<string> members)
    {
        foreach (var (number, part) in ByChunk(members))
        {
            // A split of an earlier chunk inserted ranges before this one: find it by its number.
            var index = Ranges.Chunks.IndexOf(number);
            var (lower, upper) = RangeOf(index);
            var count = await Chunk(index).AddAsync(part, lower, upper);
            if (count > MaxChunk)
            {
                await SplitAsync(index);
            }
        }
    }

    public async Task RemoveAsync(ImmutableArray<string> members)
    {
        foreach (var (number, part) in ByChunk(members))
        {
            var index = Ranges.Chunks.IndexOf(number);
            var (lower, upper) = RangeOf(index);
            await Chunk(index).RemoveAsync(part, lower, upper);
        }
    }

    public Task<bool> ContainsAsync(string member)
    {
        var index = IndexOf(member);
        var (lower, upper) = RangeOf(index);
        return Chunk(index).ContainsAsync(member, lower, upper);
    }

    public async Task<bool> IsEmptyAsync()
    {
        for (var index = 0; index < Ranges.Chunks.Length; index++)
        {
            var (lower, upper) = RangeOf(index);
            if (await Chunk(index).CountAsync(lower, upper) > 0)
            {
                return false;
            }
        }

        return true;
    }

    public async Task<int> CountAsync()
    {
        var counts = await Task.WhenAll(Enumerable.Range(0, Ranges.Chunks.Length).Select(index =>
        {
            var (lower, upper) = RangeOf(index);
            return Chunk(index).CountAsync(lower, upper);
        }));
        return counts.Sum();
    }

    public async Task<ImmutableArray<string>> ListAsync()
    {
        var parts = await Task.WhenAll(Enumerable.Range(0, Ranges.Chunks.Length).Select(index =>
        {
            var (lower, upper) = RangeOf(index);
            return Chunk(index).ListAsync(lower, upper);
        }));

        // The ranges are in key order and do not overlap, so the parts are too.
        return [.. parts.SelectMany(p => p)];
    }

    /// <summary>Cuts chunk <paramref name="index"/> into pieces of about half a full chunk each.</summary>
    private async Task SplitAsync(int index)
    {
        var (lower, upper) = RangeOf(index);
        var members = await Chunk(index).ListAsync(lower, upper);
        var pieces = (members.Length + (MaxChunk / 2) - 1) / (MaxChunk / 2);
        var size = (members.Length + pieces - 1) / pieces;
        var cuts = members.Chunk(size).ToArray();

        var lowers = new List<string>();
        var numbers = new List<int>();
        var next = Ranges.NextChunk;
        foreach (var piece in cuts.Skip(1))
        {
            await GrainFactory.GetGrain<IChunkedSetChunkGrain>(ChunkKey(next)).SetAsync([.. piece]);
            lowers.Add(piece[0]);
            numbers.Add(next++);
        }

        Ranges.Lower = Ranges.Lower.InsertRange(index + 1, lowers);
        Ranges.Chunks = Ranges.Chunks.InsertRange(index + 1, numbers);
        Ranges.NextChunk = next;
        await ranges.WriteStateAsync();

        // The old chunk now covers less: an empty change makes it drop the rest.
        var (_, narrowed) = RangeOf(index);
        await Chunk(index).RemoveAsync([], lower, narrowed);
    }

    /// <summary>The members grouped by the number of the chunk whose range covers them.</summary>
    private (int Number, ImmutableArray<string> Members)[] ByChunk(ImmutableArray<string> members) =>
        [.. members.GroupBy(IndexOf).OrderBy(g => g.Key).Select(g => (Ranges.Chunks[g.Key], g.ToImmutableArray()))];

    private int IndexOf(string member)
    {
        // The last range whose lower bound is at or below the member; Lower[0] is the empty string.
        var (low, high) = (0, Ranges.Lower.Length - 1);
        while (low < high)
        {
            var middle = (low + high + 1) / 2;
            if (string.CompareOrdinal(Ranges.Lower[middle], member) <= 0)
            {
                low = middle;
            }
            else
            {
                high = middle - 1;
            }
        }

        return low;
    }

    private (string Lower, string? Upper) RangeOf(int index) =>
        (Ranges.Lower[index], index + 1 < Ranges.Lower.Length ? Ranges.Lower[index + 1] : null);

    private IChunkedSetChunkGrain Chunk(int index) => GrainFactory.GetGrain<IChunkedSetChunkGrain>(ChunkKey(Ranges.Chunks[index]));

    private string ChunkKey(int number) => $"{this.GetPrimaryKeyString()}#{number}";
}
