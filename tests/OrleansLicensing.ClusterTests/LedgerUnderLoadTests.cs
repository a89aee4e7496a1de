using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains;
using OrleansLicensing.Silo;

namespace OrleansLicensing.ClusterTests;

/// <summary>
/// Issue 15: the ledger under sustained, conflicting load. Sixteen clients bind licenses drawn
/// from other projects of the same companies, so their transactions contend for the same
/// project balances; the conservation audit runs all the while.
/// </summary>
/// <remarks>
/// Run on one silo and on two: on two, the moves run on both silos (each request on the silo
/// that took it) and the audit must ask every silo which moves overlapped its reads
/// (<c>MoveWatchService</c>); asking only its own, it reported false differences.
/// </remarks>
public abstract class LedgerUnderLoad(ClusterFixture shared, ITestOutputHelper output)
{
    private const int Clients = 16;
    private const string LicenseType = "PBX-Port8";
    private const string LeakType = "PBX-Voicemail";
    private readonly World _world = new(shared.Grains);

    // Each client calls from inside one silo, so its moves run there (a stateless worker
    // activates on the caller's silo): the load runs on every silo, the audit on one.
    private readonly World[] _silos = [.. shared.Cluster.Silos.Select(s => new World(s.SiloHost.Services.GetRequiredService<IGrainFactory>()))];

    [Fact]
    public async Task Sixteen_conflicting_clients_for_20_s_meet_no_lock_timeout_and_the_audit_reports_only_a_real_leak()
    {
        var companies = await SeedAsync(companies: 2, devicesPerCompany: 50, unitsPerSource: 20_000);
        var (leakCompany, leakProject) = (companies[0].Id, companies[0].Sources[0]);
        await _world.FundAsync(leakCompany, leakProject, (LeakType, 5));
        var lockTimeoutsBefore = LockTimeouts();
        var operationsBefore = Operations();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        // The audit runs back to back during the load; 15 s in, a unit of a type the load does
        // not move leaves a project behind the ledger's back (a transaction of the test's own).
        var audits = new ConcurrentQueue<(AuditReport Report, bool AfterLeak)>();
        var leaked = false;
        var auditing = Task.Run(async () =>
        {
            var clock = Stopwatch.StartNew();
            while (!stop.IsCancellationRequested)
            {
                if (!leaked && clock.Elapsed > TimeSpan.FromSeconds(15))
                {
                    await LeakAsync(leakProject, -1);
                    leaked = true;
                }

                var afterLeak = leaked;
                audits.Enqueue((await shared.Grains.GetGrain<IConservationAuditGrain>(0).RunAsync(), afterLeak));
            }
        }, TestContext.Current.CancellationToken);
        var outcomes = await LoadAsync(companies, stop.Token);
        await auditing;
        await LeakAsync(leakProject, +1);

        output.WriteLine($"{outcomes.Sum(o => o.Value)} operations: {string.Join(", ", outcomes.Select(o => $"{o.Key} {o.Value}"))}");
        output.WriteLine($"lock timeouts: {LockTimeouts() - lockTimeoutsBefore}; aborts retried: {shared.Cluster.Silos.Sum(s => s.SiloHost.Services.GetRequiredService<LedgerMetrics>().RetryCount)}");
        var operationsBySilo = Operations().Zip(operationsBefore, (after, start) => after - start).ToArray();
        output.WriteLine($"operations by silo: {string.Join(", ", operationsBySilo)}");
        Assert.All(operationsBySilo, count => Assert.True(count > Clients, "every silo ran part of the load"));
        Assert.True(outcomes.GetValueOrDefault("ok") > Clients, "the load made progress");
        Assert.Equal(["ok"], outcomes.Keys.Order());
        Assert.Equal(0, LockTimeouts() - lockTimeoutsBefore);

        // Before the leak: never a difference (unsettled is allowed). The audit is not blanket
        // "unsettled": the type no move touches is settled at zero in every report. (Whether a
        // whole report comes out balanced depends on the load's rate against the audit's reads:
        // at ~90 moves/s some are always in flight; after the load it must balance, below.)
        var before = audits.Where(a => !a.AfterLeak).Select(a => a.Report).ToArray();
        output.WriteLine($"{before.Length} audits before the leak, {before.Count(a => !a.Unsettled.IsEmpty)} unsettled, {before.Count(a => a.Balanced)} balanced");
        Assert.NotEmpty(before);
        Assert.All(before, audit => Assert.Empty(audit.Differences));
        Assert.All(before, audit =>
        {
            Assert.DoesNotContain(LeakType, audit.Unsettled);
            Assert.Equal(0, Assert.Single(audit.LicenseTypes, line => line.Type == LeakType).Difference);
        });

        // After it: the first or second audit reports exactly the leak, and nothing else.
        var after = audits.Where(a => a.AfterLeak).Select(a => a.Report).Take(2).ToArray();
        Assert.NotEmpty(after);
        var found = Assert.Single(after.Last().Differences);
        Assert.Equal((LeakType, 1L), (found.Type, found.Difference));
        Assert.All(after, audit => Assert.All(audit.Differences, line => Assert.Equal(LeakType, line.Type)));
        await _world.AssertBalancedAsync();
    }

    /// <summary>Changes a project's balance in a transaction that bypasses the ledger (a leak, or its repair).</summary>
    private Task LeakAsync(string projectId, int units)
    {
        var project = shared.Grains.GetGrain<IProjectGrain>(projectId);
        var change = World.Units((LeakType, Math.Abs(units)));
        return shared.Cluster.Client.ServiceProvider.GetRequiredService<Orleans.ITransactionClient>()
            .RunTransaction(Orleans.TransactionOption.Create, () => units < 0 ? project.DebitAsync(change) : project.CreditAsync(change));
    }

    private long[] Operations() => [.. shared.Cluster.Silos.Select(s => s.SiloHost.Services.GetRequiredService<LedgerMetrics>().OperationCount)];

    private long LockTimeouts() => shared.Cluster.Silos.Sum(s => s.SiloHost.Services.GetRequiredService<LedgerMetrics>().LockTimeoutCount);

    private async Task<List<Company>> SeedAsync(int companies, int devicesPerCompany, int unitsPerSource)
    {
        var result = new List<Company>();
        for (var c = 0; c < companies; c++)
        {
            var (company, home) = await _world.CompanyAsync();
            ImmutableArray<string> sources = [await _world.ProjectAsync(company), await _world.ProjectAsync(company)];
            foreach (var source in sources)
            {
                await _world.FundAsync(company, source, (LicenseType, unitsPerSource));
            }

            var devices = await Task.WhenAll(Enumerable.Range(0, devicesPerCompany).Select(_ => _world.DeviceAsync(company, home)));
            result.Add(new Company(company, sources, [.. devices.Select(d => d.Mac)]));
        }

        return result;
    }

    /// <summary>Each client binds one unit at a time to a random device of its company, drawn from the other projects; returns the outcomes by error code.</summary>
    private async Task<Dictionary<string, int>> LoadAsync(List<Company> companies, CancellationToken stop)
    {
        var outcomes = new ConcurrentDictionary<string, int>();
        await Task.WhenAll(Enumerable.Range(0, Clients).Select(client => Task.Run(async () =>
        {
            var random = new Random(client);
            var company = companies[client % companies.Count];
            var world = _silos[client % _silos.Length];
            while (!stop.IsCancellationRequested)
            {
                var mac = company.Devices[random.Next(company.Devices.Length)];
                string outcome;
                try
                {
                    await world.AddAsync(company.Id, mac, company.Sources, (LicenseType, 1));
                    outcome = "ok";
                }
                catch (LicensingException e)
                {
                    outcome = e.Code;
                }
                catch (Exception e)
                {
                    outcome = e.GetType().Name;
                    output.WriteLine($"{outcome}: {e.Message} <- {e.InnerException?.GetType().Name}: {e.InnerException?.Message}");
                }

                outcomes.AddOrUpdate(outcome, 1, (_, n) => n + 1);
            }
        }, TestContext.Current.CancellationToken)));
        return outcomes.ToDictionary();
    }

    private sealed record Company(string Id, ImmutableArray<string> Sources, string[] Devices);
}

/// <summary>The load on one silo.</summary>
public sealed class LedgerUnderLoadTests(SingleSiloCluster shared, ITestOutputHelper output) : LedgerUnderLoad(shared, output), IClassFixture<SingleSiloCluster>;

/// <summary>The load on the shared two-silo cluster: moves on both silos, the audit on one.</summary>
[Collection(ClusterCollection.Name)]
public sealed class LedgerUnderLoadOnTwoSilosTests(SharedCluster shared, ITestOutputHelper output) : LedgerUnderLoad(shared, output);

/// <summary>The load on one silo storing its state in SQLite at full durability, as a single node does.</summary>
public sealed class LedgerUnderLoadOnSqliteTests(SqliteSingleSiloCluster shared, ITestOutputHelper output) : LedgerUnderLoad(shared, output), IClassFixture<SqliteSingleSiloCluster>;

/// <summary>One silo on a fresh SQLite database (deleted afterwards).</summary>
public sealed class SqliteSingleSiloCluster() : ClusterFixture(1, new StorageSettings { Provider = StorageProvider.Sqlite, DataDirectory = DataPath })
{
    private static readonly string DataPath = Path.Combine(Path.GetTempPath(), "licensing-load-" + Guid.NewGuid().ToString("N"));

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        try
        {
            Directory.Delete(DataPath, recursive: true);
        }
        catch (IOException)
        {
            // Left for the temp cleaner.
        }
    }
}
