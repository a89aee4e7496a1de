using System.Collections.Concurrent;
using System.Collections.Immutable;
using Microsoft.Extensions.DependencyInjection;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains;

namespace OrleansLicensing.ClusterTests;

/// <summary>
/// Issue 15: moves that touch the same holders from opposite ends. Device A → device B racing
/// B → A, and a device's lots returned to its project's free pool racing lots of that pool added
/// back to the device, would each hold one holder's lock while waiting for the other's until a
/// lock timeout broke one — unless every move takes its holders' locks in one order (devices by
/// MAC, a device before its project).
/// </summary>
public sealed class CrossedDeviceMovesTests(SingleSiloCluster shared, ITestOutputHelper output) : IClassFixture<SingleSiloCluster>
{
    private static readonly TimeSpan Load = TimeSpan.FromSeconds(8);
    private readonly World _world = new(shared.Grains);

    [Fact]
    public async Task Moves_between_two_devices_in_both_directions_meet_no_lock_timeout()
    {
        var (company, project) = await _world.CompanyAsync();
        await _world.FundAsync(company, project, ("PBX-Port8", 1_000));
        var pairs = new List<(string A, string B)>();
        for (var i = 0; i < 6; i++)
        {
            var (a, _) = await _world.DeviceAsync(company, project);
            var (b, _) = await _world.DeviceAsync(company, project);
            await _world.AddAsync(company, a, [], ("PBX-Port8", 2));
            if (i % 2 == 1)
            {
                // Both hold licenses: every move is refused (TargetHasLicenses), but only after
                // it holds both locks — the case where opposite orders would wait on each other.
                await _world.AddAsync(company, b, [], ("PBX-Port8", 2));
            }

            pairs.Add((a, b));
        }

        var before = LockTimeouts();
        var outcomes = await RunAsync(pairs.Count * 2, async (client, _) =>
        {
            var (a, b) = pairs[client / 2];
            var (from, to) = client % 2 == 0 ? (a, b) : (b, a);
            await _world.Ledger.MoveLicensesAsync(company, from, to);
        });

        var lockTimeouts = LockTimeouts() - before;
        output.WriteLine($"{Describe(outcomes)}; lock timeouts {lockTimeouts}");
        Assert.True(outcomes.GetValueOrDefault("ok") >= pairs.Count / 2, "the licenses moved back and forth");
        Assert.True(outcomes.GetValueOrDefault(ErrorCodes.TargetHasLicenses) >= pairs.Count, "moves between two devices holding licenses were refused");
        Assert.Empty(outcomes.Keys.Except(["ok", ErrorCodes.Conflict, ErrorCodes.TargetHasLicenses]));
        Assert.Equal(0, lockTimeouts);
        for (var i = 0; i < pairs.Count; i++)
        {
            var (a, b) = pairs[i];
            var units = (await shared.Grains.GetGrain<IDeviceGrain>(a).GetLotsAsync()).Concat(await shared.Grains.GetGrain<IDeviceGrain>(b).GetLotsAsync()).Sum(l => l.Units);
            Assert.Equal(i % 2 == 1 ? 4 : 2, units);
        }

        await _world.AssertBalancedAsync();
    }

    [Fact]
    public async Task Returning_to_the_free_pool_and_adding_from_it_on_the_same_device_meet_no_lock_timeout()
    {
        var (company, project) = await _world.CompanyAsync();
        await _world.FundAsync(company, project, ("PBX-Port8", 1_000));
        var devices = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            var (mac, _) = await _world.DeviceAsync(company, project);
            await _world.AddAsync(company, mac, [], ("PBX-Port8", 3));
            devices.Add(mac);
        }

        var pool = shared.Grains.GetGrain<IProjectGrain>(project);
        var before = LockTimeouts();
        var outcomes = await RunAsync(devices.Count * 2, async (client, _) =>
        {
            var mac = devices[client / 2];
            if (client % 2 == 0)
            {
                await _world.Ledger.ReturnToFreePoolAsync(company, mac, default);
            }
            else
            {
                var lotIds = (await pool.GetFreePoolAsync()).Select(l => l.LotId).ToImmutableArray();
                if (!lotIds.IsEmpty)
                {
                    await _world.Ledger.AddFromFreePoolAsync(company, mac, [lotIds[Random.Shared.Next(lotIds.Length)]]);
                }
            }
        });

        var lockTimeouts = LockTimeouts() - before;
        output.WriteLine($"{Describe(outcomes)}; lock timeouts {lockTimeouts}");
        Assert.True(outcomes.GetValueOrDefault("ok") >= devices.Count, "lots went back and forth");
        Assert.Empty(outcomes.Keys.Except(["ok", ErrorCodes.NotFound]));
        Assert.Equal(0, lockTimeouts);
        var onDevices = 0;
        foreach (var mac in devices)
        {
            onDevices += (await shared.Grains.GetGrain<IDeviceGrain>(mac).GetLotsAsync()).Sum(l => l.Units);
        }

        Assert.Equal(devices.Count * 3, onDevices + (await pool.GetFreePoolAsync()).Sum(l => l.Units));
        await _world.AssertBalancedAsync();
    }

    private static async Task<ConcurrentDictionary<string, int>> RunAsync(int clients, Func<int, CancellationToken, Task> operation)
    {
        using var stop = new CancellationTokenSource(Load);
        return await Outcome.CountWhileAsync(clients, stop.Token, client => operation(client, stop.Token));
    }

    private static string Describe(ConcurrentDictionary<string, int> outcomes) =>
        string.Join(", ", outcomes.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Key} {o.Value}"));

    private long LockTimeouts() => shared.Cluster.Silos.Sum(s => s.SiloHost.Services.GetRequiredService<LedgerMetrics>().LockTimeoutCount);
}
