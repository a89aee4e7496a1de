using System.Collections.Immutable;
using Microsoft.Extensions.DependencyInjection;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains;

namespace OrleansLicensing.ClusterTests;

/// <summary>
/// Issue 15: binds whose sources cross. Project A holds only PBX-Port8, project B only
/// PBX-Voicemail; every bind asks for one of each. A device in A draws from A (its home) and then
/// B, a device in B from B and then A — two transactions that would each hold one project's lock
/// while waiting for the other's, until a lock timeout breaks one, unless the ledger takes the
/// projects' locks in one order.
/// </summary>
public sealed class CrossedSourcesTests(SingleSiloCluster shared, ITestOutputHelper output) : IClassFixture<SingleSiloCluster>
{
    private const int Clients = 16;
    private readonly World _world = new(shared.Grains);

    [Fact]
    public async Task Binds_drawing_from_two_projects_in_opposite_orders_meet_no_lock_timeout()
    {
        var (company, a) = await _world.CompanyAsync();
        var b = await _world.ProjectAsync(company);
        await _world.FundAsync(company, a, ("PBX-Port8", 10_000));
        await _world.FundAsync(company, b, ("PBX-Voicemail", 10_000));
        var inA = await Task.WhenAll(Enumerable.Range(0, 30).Select(_ => _world.DeviceAsync(company, a)));
        var inB = await Task.WhenAll(Enumerable.Range(0, 30).Select(_ => _world.DeviceAsync(company, b)));
        ImmutableArray<string> sources = [a, b];
        var lockTimeoutsBefore = LockTimeouts();

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var outcomes = await Outcome.CountWhileAsync(Clients, stop.Token, async client =>
        {
            var devices = client % 2 == 0 ? inA : inB;
            var (mac, _) = devices[Random.Shared.Next(devices.Length)];
            await _world.AddAsync(company, mac, sources, ("PBX-Port8", 1), ("PBX-Voicemail", 1));
        });

        var lockTimeouts = LockTimeouts() - lockTimeoutsBefore;
        output.WriteLine($"{string.Join(", ", outcomes.Select(o => $"{o.Key} {o.Value}"))}; lock timeouts {lockTimeouts}");
        Assert.Equal(["ok"], outcomes.Keys.Order());
        Assert.True(outcomes["ok"] > Clients, "the load made progress");
        Assert.Equal(0, lockTimeouts);
        var ok = outcomes["ok"];
        Assert.Equal(10_000 - ok, (await _world.BalanceAsync(a)).GetValueOrDefault("PBX-Port8"));
        Assert.Equal(10_000 - ok, (await _world.BalanceAsync(b)).GetValueOrDefault("PBX-Voicemail"));
        await _world.AssertBalancedAsync();
    }

    private long LockTimeouts() => shared.Cluster.Silos.Sum(s => s.SiloHost.Services.GetRequiredService<LedgerMetrics>().LockTimeoutCount);
}
