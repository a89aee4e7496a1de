using System.Collections.Concurrent;
using System.Collections.Immutable;
using Orleans.Concurrency;
using Microsoft.Extensions.Logging;
using Orleans.Runtime.Services;
using Orleans.Services;

namespace OrleansLicensing.Grains.Ledger;

/// <summary>
/// One per silo: the audit's window onto that silo's <see cref="MoveTracker"/>. A unit move runs
/// on the silo whose gateway took its request, so an audit run on one silo must ask every silo
/// which moves overlapped its reads (docs/consistency.md).
/// </summary>
public interface IMoveWatchService : IGrainService
{
    /// <summary>Opens watch <paramref name="watch"/> on this silo: every move in flight now or begun before <see cref="CloseAsync"/>.</summary>
    [AlwaysInterleave]
    Task OpenAsync(Guid watch);

    /// <summary>Stops adding moves to the watch; the moves met stay known until <see cref="ReleaseAsync"/>.</summary>
    [AlwaysInterleave]
    Task CloseAsync(Guid watch);

    /// <summary>What the watch's moves on this silo can do to the difference of each of <paramref name="types"/>, and how many are still running.</summary>
    [AlwaysInterleave]
    Task<WatchState> StateAsync(Guid watch, ImmutableArray<string> types);

    [AlwaysInterleave]
    Task ReleaseAsync(Guid watch);
}

/// <summary>
/// A watch on one silo: per license type, how far the moves it met can shift the difference
/// (<see cref="Unbounded"/>: no bound — a move with its units still unknown, a mint, or a watch
/// the silo does not know); <see cref="Pending"/> moves have not ended yet.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record WatchState(
    [property: Id(0)] ImmutableDictionary<string, long> Bounds,
    [property: Id(1)] ImmutableArray<string> Unbounded,
    [property: Id(2)] int Pending,
    [property: Id(3)] int Moves);

/// <summary>The silo's side of <see cref="IMoveWatchService"/>; watches left open by an audit that died expire after 10 minutes.</summary>
public sealed class MoveWatchService(GrainId id, Orleans.Runtime.Silo silo, ILoggerFactory loggers, MoveTracker tracker)
    : GrainService(id, silo, loggers), IMoveWatchService
{
    private static readonly TimeSpan Expiry = TimeSpan.FromMinutes(10);
    private readonly ConcurrentDictionary<Guid, (MoveTracker.Watch Watch, DateTime Opened)> _watches = new();

    public Task OpenAsync(Guid watch)
    {
        foreach (var (key, (old, opened)) in _watches)
        {
            if (DateTime.UtcNow - opened > Expiry && _watches.TryRemove(key, out _))
            {
                old.Close();
            }
        }

        _watches[watch] = (tracker.Open(), DateTime.UtcNow);
        return Task.CompletedTask;
    }

    public Task CloseAsync(Guid watch)
    {
        if (_watches.TryGetValue(watch, out var entry))
        {
            entry.Watch.Close();
        }

        return Task.CompletedTask;
    }

    public Task<WatchState> StateAsync(Guid watch, ImmutableArray<string> types)
    {
        if (!_watches.TryGetValue(watch, out var entry))
        {
            // Unknown here (this silo restarted since the watch opened): nothing can be bounded.
            return Task.FromResult(new WatchState(ImmutableDictionary<string, long>.Empty, types, 0, 0));
        }

        var bounds = ImmutableDictionary.CreateBuilder<string, long>(StringComparer.Ordinal);
        var unbounded = ImmutableArray.CreateBuilder<string>();
        foreach (var type in types)
        {
            if (entry.Watch.Bound(type) is { } bound)
            {
                bounds[type] = bound;
            }
            else
            {
                unbounded.Add(type);
            }
        }

        return Task.FromResult(new WatchState(bounds.ToImmutable(), unbounded.ToImmutable(), entry.Watch.Pending, entry.Watch.Count));
    }

    public Task ReleaseAsync(Guid watch)
    {
        if (_watches.TryRemove(watch, out var entry))
        {
            entry.Watch.Close();
        }

        return Task.CompletedTask;
    }
}

/// <summary>Addresses the <see cref="IMoveWatchService"/> of a given silo.</summary>
public interface IMoveWatchClient
{
    IMoveWatchService On(SiloAddress silo);
}

public sealed class MoveWatchClient(IServiceProvider services) : GrainServiceClient<IMoveWatchService>(services), IMoveWatchClient
{
    public IMoveWatchService On(SiloAddress silo) => GetGrainService(silo);
}

/// <summary>
/// An audit's watch over every active silo of the cluster: the moves any of them ran while the
/// audit read. A silo that cannot be asked, or one that joined during the reads, makes every
/// type unbounded — the audit then calls a difference unsettled, never false.
/// </summary>
public sealed class ClusterWatch
{
    private static readonly TimeSpan SettlePoll = TimeSpan.FromMilliseconds(50);
    private readonly IMoveWatchClient _client;
    private readonly IClusterMembershipService _membership;
    private readonly Guid _id = Guid.NewGuid();
    private readonly ImmutableArray<SiloAddress> _silos;
    private bool _blind;

    private ClusterWatch(IMoveWatchClient client, IClusterMembershipService membership, ImmutableArray<SiloAddress> silos)
    {
        (_client, _membership, _silos) = (client, membership, silos);
        _blind = silos.IsEmpty;
    }

    public int Silos => _silos.Length;

    public static async Task<ClusterWatch> OpenAsync(IMoveWatchClient client, IClusterMembershipService membership)
    {
        var watch = new ClusterWatch(client, membership, ActiveSilos(membership));
        await watch.EachAsync(silo => silo.OpenAsync(watch._id));
        return watch;
    }

    public async Task CloseAsync()
    {
        await EachAsync(silo => silo.CloseAsync(_id));
        if (ActiveSilos(_membership).Except(_silos).Any())
        {
            _blind = true; // a silo joined during the reads; its moves were not watched
        }
    }

    /// <summary>Per type, the sum over the silos of what their moves met can shift; null when any silo cannot bound it.</summary>
    public async Task<IReadOnlyDictionary<string, long?>> BoundsAsync(ImmutableArray<string> types)
    {
        var states = await StatesAsync(types);
        return types.ToDictionary(type => type, type =>
            _blind || states.Any(s => s is null || s.Unbounded.Contains(type)) ? null : (long?)states.Sum(s => s!.Bounds.GetValueOrDefault(type)), StringComparer.Ordinal);
    }

    /// <summary>Waits until every move the watch met on any silo has ended, or <paramref name="timeout"/> passed.</summary>
    public async Task SettledAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var states = await StatesAsync([]);
            if (states.All(s => s is not null && s.Pending == 0))
            {
                return;
            }

            await Task.Delay(SettlePoll);
        }
    }

    public Task ReleaseAsync() => EachAsync(silo => silo.ReleaseAsync(_id));

    private async Task<WatchState?[]> StatesAsync(ImmutableArray<string> types) =>
        await Task.WhenAll(_silos.Select(async address =>
        {
            try
            {
                return await _client.On(address).StateAsync(_id, types);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return null; // that silo's moves cannot be bounded
            }
        }));

    private Task EachAsync(Func<IMoveWatchService, Task> call) =>
        Task.WhenAll(_silos.Select(async address =>
        {
            try
            {
                await call(_client.On(address));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _blind = true;
            }
        }));

    private static ImmutableArray<SiloAddress> ActiveSilos(IClusterMembershipService membership) =>
        [.. membership.CurrentSnapshot.Members.Values.Where(m => m.Status == SiloStatus.Active).Select(m => m.SiloAddress)];
}
