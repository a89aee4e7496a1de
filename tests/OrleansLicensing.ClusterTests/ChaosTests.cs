using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Grains;
using OrleansLicensing.Silo;

namespace OrleansLicensing.ClusterTests;

/// <summary>
/// R-C1/R-C2 under failure: three silos on one durable SQLite store, a mixed workload from
/// several concurrent clients, one silo killed without warning in the middle and a new one
/// started. Afterwards units are conserved, every success is in the state and no definite
/// failure left a trace.
/// </summary>
public sealed class ChaosTests(ITestOutputHelper output) : IDisposable
{
    private const int Workers = 8;
    private const int OperationsPerWorker = 50;
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "orleans-licensing-chaos", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Killing_a_silo_mid_load_loses_no_committed_operation_and_breaks_no_invariant()
    {
        await using var cluster = await LicensingCluster.StartAsync(3, new StorageSettings { Provider = StorageProvider.Sqlite, DataDirectory = _dataDirectory });
        var world = new World(cluster.Client);

        var (company, p1) = await world.CompanyAsync();
        var p2 = await world.ProjectAsync(company);
        var p3 = await world.ProjectAsync(company);
        string[] projects = [p1, p2, p3];
        var devices = new List<string>();
        for (var i = 0; i < 24; i++)
        {
            devices.Add((await world.DeviceAsync(company, projects[i % 3])).Mac);
        }

        var keys = new ConcurrentQueue<string>();
        for (var i = 0; i < Workers * OperationsPerWorker / 4; i++)
        {
            keys.Enqueue(await world.KeyAsync(("PBX-Port8*20", 4), ("Relay-PRI", 1)));
        }

        var journal = new ConcurrentBag<(string Kind, string Subject, string Target, string Outcome)>();
        var ownKeys = new ConcurrentQueue<string>();
        var completed = 0;
        var killAt = Workers * OperationsPerWorker / 3;
        var killed = new TaskCompletionSource();

        // Several clients: the external cluster client and the hosted clients of the two silos
        // that survive, as gateways co-hosted on different silos would call.
        World[] clients = [world, new(cluster.Silos[0].SiloHost.Services.GetRequiredService<IGrainFactory>()), new(cluster.Silos[2].SiloHost.Services.GetRequiredService<IGrainFactory>())];

        async Task Worker(int seed)
        {
            var random = new Random(seed);
            var world = clients[seed % clients.Length];
            for (var i = 0; i < OperationsPerWorker; i++)
            {
                var device = devices[random.Next(devices.Count)];
                var project = projects[random.Next(projects.Length)];
                var choice = random.Next(6);
                (string Kind, string Subject, string Target, string Outcome) entry = choice switch
                {
                    0 when keys.TryDequeue(out var key) =>
                        ("redeem", key, project, await Outcome.Of(() => world.Ledger.RedeemKeyAsync(key, company, project, null))),
                    1 => ("add", device, project, await Outcome.Of(() => world.AddAsync(company, device, [p2, p3], ("PBX-Port8*20", 1)))),
                    2 => ("move", device, devices[random.Next(devices.Count)], await Outcome.Of(() => world.Ledger.MoveLicensesAsync(company, device, devices[random.Next(devices.Count)]))),
                    3 => ("return", device, string.Empty, await Outcome.Of(() => world.Ledger.ReturnToFreePoolAsync(company, device, []))),
                    4 => await CreateOwnKey(world, company, project, ownKeys),
                    _ => ownKeys.TryDequeue(out var own)
                        ? ("own-key-delete", own, string.Empty, await Outcome.Of(() => world.Ledger.DeleteOwnKeyAsync(company, own)))
                        : ("add", device, project, await Outcome.Of(() => world.AddAsync(company, device, [p1], ("Relay-PRI", 1)))),
                };
                journal.Add(entry);
                if (Interlocked.Increment(ref completed) == killAt)
                {
                    killed.TrySetResult();
                }
            }
        }

        var clock = Stopwatch.StartNew();
        var load = Task.WhenAll(Enumerable.Range(0, Workers).Select(seed => Task.Run(() => Worker(seed), TestContext.Current.CancellationToken)));
        await Task.WhenAny(killed.Task, load);
        var victim = cluster.Silos[1];
        output.WriteLine($"killing {victim.SiloAddress} after {completed} operations ({clock.Elapsed.TotalSeconds:F1} s)");
        await cluster.KillSiloAsync(victim, TestContext.Current.CancellationToken);
        await cluster.StartAdditionalSiloAsync();
        await load;
        output.WriteLine($"{journal.Count} operations in {clock.Elapsed.TotalSeconds:F1} s");

        foreach (var group in journal.GroupBy(e => (e.Kind, e.Outcome)).OrderBy(g => g.Key.Kind))
        {
            output.WriteLine($"{group.Key.Kind,-16} {group.Key.Outcome,-22} {group.Count()}");
        }

        // Conservation over everything that committed, whatever failed around the kill. Calls
        // that timed out at their caller may still be finishing, so the audit may settle first.
        await world.AssertBalancedAsync(settle: TimeSpan.FromSeconds(45), output);

        // Every redeem that succeeded is assigned to its project; every definite failure left the key untouched.
        foreach (var redeem in journal.Where(e => e.Kind == "redeem"))
        {
            var key = await TransientFailures.ReadAsync(() => cluster.Client.GetGrain<IActivationKeyGrain>(redeem.Subject).GetAsync());
            if (redeem.Outcome == Outcome.Ok)
            {
                Assert.Equal(redeem.Target, key.AssignedProjectId);
            }
            else if (Outcome.IsDefiniteFailure(redeem.Outcome))
            {
                Assert.Null(key.AssignedProjectId);
            }
        }

        // Deleted own keys are gone; a failed delete left its key in place.
        foreach (var delete in journal.Where(e => e.Kind == "own-key-delete"))
        {
            var exists = await Outcome.Of(() => TransientFailures.ReadAsync(() => cluster.Client.GetGrain<IActivationKeyGrain>(delete.Subject).GetAsync()));
            if (delete.Outcome == Outcome.Ok)
            {
                Assert.Equal(ErrorCodes.NotFound, exists);
            }
            else if (Outcome.IsDefiniteFailure(delete.Outcome))
            {
                Assert.Equal(Outcome.Ok, exists);
            }
        }

        var metrics = cluster.Silos.Select(s => s.SiloHost.Services.GetRequiredService<Grains.LedgerMetrics>()).ToList();
        output.WriteLine($"surviving silos: {metrics.Sum(m => m.OperationCount)} ledger operations, {metrics.Sum(m => m.AbortCount)} contention aborts, {metrics.Sum(m => m.RetryCount)} retries");

        var committed = journal.Count(e => e.Outcome == Outcome.Ok);
        var indeterminate = journal.Count(e => e.Outcome.StartsWith(Outcome.Indeterminate, StringComparison.Ordinal));
        output.WriteLine($"committed {committed}, indeterminate {indeterminate} of {journal.Count}");
        Assert.True(committed > journal.Count / 4, $"only {committed} of {journal.Count} operations committed");
    }

    private static async Task<(string, string, string, string)> CreateOwnKey(World world, string company, string project, ConcurrentQueue<string> ownKeys)
    {
        ActivationKeyView? created = null;
        var outcome = await Outcome.Of(async () => created = await world.Ledger.CreateOwnKeyAsync(new OwnKeyDraft(company, project, World.Units(("PBX-Port8*20", 1)), null, null, null)));
        if (created is not null)
        {
            ownKeys.Enqueue(created.Key);
        }

        return ("own-key-create", created?.Key ?? string.Empty, project, outcome);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
