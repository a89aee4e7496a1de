using System.Collections.Immutable;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains;
using OrleansLicensing.Grains.State;

namespace OrleansLicensing.ClusterTests;

/// <summary>
/// The holder registry the audit walks (D103): a registration writes one chunk of at most
/// <see cref="IHolderRegistryGrain.ChunkCapacity"/> entries, never the whole shard; everything
/// registered is listed again after the shard was deactivated; a shard of the first layout (one
/// set holding every entry) is sealed into chunks at its next registration without losing any.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class HolderRegistryTests(SharedCluster shared)
{
    private static int _nextShard = 100_000;

    [Fact]
    public async Task Registrations_seal_full_chunks_and_every_entry_survives_deactivation()
    {
        var shard = shared.Grains.GetGrain<IHolderRegistryGrain>(Interlocked.Increment(ref _nextShard));
        var holders = Enumerable.Range(0, 1_200).Select(i => new HolderRef(HolderKinds.Device, $"00:90:33:{i / 256:x2}:{i % 256:x2}:01")).ToArray();
        foreach (var batch in holders.Chunk(100))
        {
            await shard.RegisterManyAsync([.. batch]);
        }

        await shard.RegisterAsync(HolderKinds.Device, holders[5].Id);
        var state = await ReadStateAsync(shard);
        Assert.Equal(2, state.SealedChunks);
        Assert.Equal(1_200 - (2 * IHolderRegistryGrain.ChunkCapacity), state.Holders.Count);

        await shard.AsReference<Orleans.Core.Internal.IGrainManagementExtension>().DeactivateOnIdle(TestContext.Current.CancellationToken);

        // The count (the audit's progress) comes from the shard's state, its chunks unread.
        Assert.Equal(1_200, await Eventually.UntilAsync(() => shard.CountAsync(), c => c == 1_200, TimeSpan.FromSeconds(10)));
        var listed = await Eventually.UntilAsync(() => shard.ListAsync(), l => l.Length == 1_200, TimeSpan.FromSeconds(10));
        Assert.Equal(holders.OrderBy(h => h.Kind + "|" + h.Id, StringComparer.Ordinal), listed);
    }

    [Fact]
    public async Task A_shard_of_the_first_layout_is_sealed_into_chunks_at_its_next_registration()
    {
        var shard = shared.Grains.GetGrain<IHolderRegistryGrain>(Interlocked.Increment(ref _nextShard));
        var old = Enumerable.Range(0, 1_000).Select(i => $"{HolderKinds.Project}|old-project-{i:D4}").ToImmutableSortedSet(StringComparer.Ordinal);
        await Storage.WriteStateAsync("holderRegistry", shard.GetGrainId(), new GrainState<HolderRegistryState>(new HolderRegistryState { Holders = old }));

        await shard.RegisterAsync(HolderKinds.Project, "new-project");

        var state = await ReadStateAsync(shard);
        Assert.Equal(1, state.SealedChunks);
        Assert.Equal(1_001 - IHolderRegistryGrain.ChunkCapacity, state.Holders.Count);
        var listed = await shard.ListAsync();
        Assert.Equal(1_001, listed.Length);
        Assert.Contains(new HolderRef(HolderKinds.Project, "new-project"), listed);
        Assert.Contains(new HolderRef(HolderKinds.Project, "old-project-0999"), listed);
    }

    private IGrainStorage Storage => shared.Cluster.Silos[0].SiloHost.Services.GetRequiredKeyedService<IGrainStorage>(StorageNames.Licensing);

    private async Task<HolderRegistryState> ReadStateAsync(IHolderRegistryGrain shard)
    {
        var state = new GrainState<HolderRegistryState>(new HolderRegistryState());
        await Storage.ReadStateAsync("holderRegistry", shard.GetGrainId(), state);
        return state.State!;
    }
}
