using System.Collections.Immutable;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains;
using OrleansLicensing.Silo;

namespace OrleansLicensing.ClusterTests;

/// <summary>
/// R-C3 under a move: a device whose storage write is held back (its move cannot commit) and
/// which has a second move waiting for its lock still answers polls at once, from the last
/// committed state, and shows the moves once they commit.
/// </summary>
public sealed class PollDuringMoveTests(HeldWriteCluster cluster) : IClassFixture<HeldWriteCluster>
{
    private readonly World _world = new(cluster.Grains);

    [Fact]
    public async Task R_C3_a_poll_answers_from_the_last_committed_state_while_the_device_is_in_a_stalled_move()
    {
        var (company, home) = await _world.CompanyAsync();
        var source = await _world.ProjectAsync(company);
        await _world.FundAsync(company, source, ("PBX-Port8", 10));
        var (mac, secret) = await _world.DeviceAsync(company, home);
        await _world.AddAsync(company, mac, [source], ("PBX-Port8", 1));
        var device = cluster.Grains.GetGrain<IDeviceGrain>(mac);
        var committed = await device.PollAsync(secret, null);
        Assert.Equal(DevicePollStatus.Ok, committed.Status);

        // The first move's write of the device's state is held: it keeps the device's lock.
        var hold = cluster.Gate.Hold(mac);
        var first = _world.AddAsync(company, mac, [source], ("PBX-Port8", 1));
        await hold.Reached.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        var second = _world.AddAsync(company, mac, [source], ("PBX-Port8", 1));

        // The polls neither wait for the held write nor for the second move's lock (a wait
        // would end only after Release, so the 10 s guard fails the test instead of hanging it).
        for (var i = 0; i < 20; i++)
        {
            var during = await device.PollAsync(secret, committed.ETag).WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
            Assert.Equal(DevicePollStatus.NotModified, during.Status);
        }

        Assert.False(first.IsCompleted);
        hold.Release();
        await Task.WhenAll(first, second);

        var after = await device.PollAsync(secret, committed.ETag);
        Assert.Equal(DevicePollStatus.Ok, after.Status);
        Assert.Contains("\"units\":1", System.Text.Encoding.UTF8.GetString(after.Body!), StringComparison.Ordinal);
        Assert.Equal(3, (await device.GetAsync()).Lots.Sum(l => l.Units));
        await _world.AssertBalancedAsync();
    }
}

/// <summary>Holds the next storage write of one grain until the test releases it.</summary>
public sealed class WriteGate
{
    private Hold? _hold;

    public Hold Hold(string grainKey)
    {
        var hold = new Hold(grainKey);
        Volatile.Write(ref _hold, hold);
        return hold;
    }

    internal async Task BeforeWriteAsync(GrainId grainId)
    {
        var hold = Volatile.Read(ref _hold);
        if (hold is not null && grainId.Key.ToString() == hold.GrainKey && Interlocked.CompareExchange(ref _hold, null, hold) == hold)
        {
            hold.Reach();
            await hold.WaitForReleaseAsync();
        }
    }
}

public sealed class Hold(string grainKey)
{
    private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string GrainKey { get; } = grainKey;

    public Task Reached => _reached.Task;

    public void Release() => _released.TrySetResult();

    internal void Reach() => _reached.TrySetResult();

    internal Task WaitForReleaseAsync() => _released.Task;
}

/// <summary>The licensing storage with a <see cref="WriteGate"/> in front of its writes.</summary>
public sealed class GatedGrainStorage(IGrainStorage inner, WriteGate gate) : IGrainStorage
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ReadStateAsync(stateName, grainId, grainState);

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await gate.BeforeWriteAsync(grainId);
        await inner.WriteStateAsync(stateName, grainId, grainState);
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ClearStateAsync(stateName, grainId, grainState);
}

/// <summary>One silo whose licensing storage writes pass a <see cref="WriteGate"/>.</summary>
public sealed class HeldWriteCluster : IAsyncLifetime
{
    public Orleans.TestingHost.InProcessTestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.Client;

    public WriteGate Gate { get; } = new();

    public async ValueTask InitializeAsync() =>
        Cluster = await LicensingCluster.StartAsync(1, new StorageSettings { Provider = StorageProvider.Memory }, silo =>
            silo.Services.AddKeyedSingleton<IGrainStorage>(StorageNames.Licensing, (sp, _) =>
                new GatedGrainStorage(new InstrumentedGrainStorage(sp.GetRequiredKeyedService<IGrainStorage>(LicensingNode.InnerStorageName), sp.GetRequiredService<StorageInstrumentation>()), Gate)));

    public async ValueTask DisposeAsync() => await Cluster.DisposeAsync();
}
