using System.Collections.Immutable;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Grains;

namespace OrleansLicensing.ClusterTests;

/// <summary>
/// The chunked sets that hold device lists of 100,000 MACs (projects, old groups, hardware orders):
/// whatever order members come in, the set lists exactly its members in order, splits full chunks,
/// and a chunk left with members it no longer covers (a split cut short) does not list them twice.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ChunkedSetTests(SharedCluster shared)
{
    [Fact]
    public async Task A_set_fed_in_shuffled_batches_lists_every_member_once_in_order_and_splits_into_chunks()
    {
        var key = $"test/{Guid.NewGuid():N}";
        var set = shared.Grains.GetGrain<IChunkedSetGrain>(key);
        var members = Enumerable.Range(0, 3 * ChunkedSetGrain.MaxChunk).Select(i => Mac.FromSuffix(0x100000 + (i * 7)).ToString()).ToArray();
        var shuffled = members.OrderBy(_ => Random.Shared.Next()).ToArray();
        Assert.True(await set.IsEmptyAsync());

        foreach (var batch in shuffled.Chunk(450))
        {
            await set.AddAsync([.. batch]);
        }

        await set.AddAsync([.. members.Take(300)]); // present already: nothing changes
        var removed = members.Where((_, i) => i % 10 == 3).ToImmutableArray();
        await set.RemoveAsync(removed);

        var expected = members.Except(removed).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(expected, await set.ListAsync());
        Assert.Equal(expected.Length, await set.CountAsync());
        Assert.False(await set.IsEmptyAsync());
        Assert.True(await set.ContainsAsync(expected[^1]));
        Assert.False(await set.ContainsAsync(removed[0]));

        // 6,000 members do not fit in one chunk: the first split wrote chunk 1.
        var second = await shared.Grains.GetGrain<IChunkedSetChunkGrain>($"{key}#1").ListAsync(string.Empty, null);
        Assert.NotEmpty(second);
        Assert.InRange(second.Length, 1, ChunkedSetGrain.MaxChunk);
    }

    [Fact]
    public async Task A_chunk_ignores_and_then_drops_members_outside_the_range_its_set_gives_it()
    {
        var chunk = shared.Grains.GetGrain<IChunkedSetChunkGrain>($"test/{Guid.NewGuid():N}#0");
        await chunk.SetAsync(["a", "b", "m", "x"]);

        // Split at "m": this chunk now covers ["", "m"); "m" and "x" belong to the next one.
        Assert.Equal(["a", "b"], await chunk.ListAsync(string.Empty, "m"));
        Assert.Equal(2, await chunk.CountAsync(string.Empty, "m"));
        Assert.False(await chunk.ContainsAsync("x", string.Empty, "m"));
        Assert.Equal(3, await chunk.AddAsync(["c"], string.Empty, "m"));
        Assert.Equal(["a", "b", "c"], await chunk.ListAsync(string.Empty, null));
    }
}
