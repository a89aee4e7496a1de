using System.Collections.Immutable;
using Orleans.Hosting;
using Orleans.TestingHost;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Grains;
using OrleansLicensing.Grains.Joins;
using OrleansLicensing.Grains.Processes;
using OrleansLicensing.Silo;

namespace OrleansLicensing.ClusterTests;

/// <summary>
/// A company join (R-U3) whose silo dies in the middle: the join's reminder resumes it on another
/// silo, every batch is applied exactly once, everything of B ends up in A, and the conservation
/// audit shows no difference.
/// </summary>
public sealed class CompanyJoinTests(ITestOutputHelper output) : IDisposable
{
    private const string Type = "PBX-Port8*20";
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "orleans-licensing-join", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task R_U3_a_join_whose_silo_dies_resumes_and_completes_with_the_audit_balanced()
    {
        await using var cluster = await StartClusterAsync(itemsPerBatch: 3);
        var world = new World(cluster.Client);
        var (a, _) = await world.CompanyAsync();
        var (b, defaultB) = await world.CompanyAsync();
        var otherB = await world.ProjectAsync(b);
        await world.FundAsync(b, defaultB, (Type, 100));
        await world.FundAsync(b, otherB, (Type, 20));
        var devices = new List<string>();
        for (var i = 0; i < 24; i++)
        {
            var (mac, _) = await world.DeviceAsync(b, i % 2 == 0 ? defaultB : otherB);
            await world.AddAsync(b, mac, [], (Type, 1));
            devices.Add(mac);
        }

        var keys = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            var key = await world.KeyAsync((Type, 2));
            await world.Ledger.RedeemKeyAsync(key, b, otherB, null);
            keys.Add(key);
        }

        var balances = new Dictionary<string, ImmutableSortedDictionary<string, int>>
        {
            [defaultB] = await world.BalanceAsync(defaultB),
            [otherB] = await world.BalanceAsync(otherB),
        };

        var join = await LicensingCluster.OffTheFirstSiloAsync<ICompanyJoinProcessGrain>(cluster);
        await join.StartAsync(new CompanyJoinPlan(a, b, "admin@example.com"));
        var midway = await Eventually.UntilAsync(join.GetStatusAsync, s => s.BatchesDone >= 3, TimeSpan.FromSeconds(60));
        Assert.Equal(ProcessState.Running, midway.State);
        Assert.True(midway.BatchesDone < 10, $"the join finished ({midway.BatchesDone} batches) before its silo could be killed");

        await KillHostAsync(cluster, join, midway);

        // Nothing calls the join now (this waits on B, which its last batch deletes): only its reminder can bring it back.
        var deleted = await UntilGoneAsync(() => cluster.Client.GetGrain<ICompanyGrain>(b).GetAsync());
        Assert.True(deleted, "the join did not resume after its silo died");
        var status = await Eventually.UntilAsync(join.GetStatusAsync, s => s.State != ProcessState.Running, TimeSpan.FromSeconds(30));
        output.WriteLine($"status after the loss: {status}");
        Assert.Equal(ProcessState.Completed, status.State);

        // Batch 0 (2 projects), 24 devices in 8 batches, 8 keys (2 funded the projects) in 3, two sweeps (nothing late), the last (1 member): each applied once.
        Assert.Equal(1 + 8 + 3 + 2 + 1, status.BatchesDone);
        Assert.Equal(2 + 24 + 8 + 1, status.ItemsDone);

        Assert.Equal(ErrorCodes.NotFound, (await Assert.ThrowsAsync<LicensingException>(() => Read(() => cluster.Client.GetGrain<ICompanyGrain>(b).GetAsync()))).Code);
        var projects = (await Read(() => cluster.Client.GetGrain<ICompanyGrain>(a).ListProjectsAsync())).ToDictionary(p => p.ProjectId);
        Assert.Equal("DEFAULT (2)", projects[defaultB].Name);
        Assert.Equal(a, projects[otherB].CompanyId);
        foreach (var (project, balance) in balances)
        {
            Assert.Equal(balance, await Read(() => world.BalanceAsync(project)));
        }

        foreach (var mac in devices)
        {
            var device = await Read(() => cluster.Client.GetGrain<IDeviceGrain>(mac).GetAsync());
            Assert.Equal(a, device.CompanyId);
            Assert.Single(device.Lots);
        }

        foreach (var key in keys)
        {
            Assert.Equal(a, (await Read(() => cluster.Client.GetGrain<IActivationKeyGrain>(key).GetAsync())).AssignedCompanyId);
        }

        await world.AssertBalancedAsync(settle: TimeSpan.FromSeconds(30), output);
    }

    [Fact]
    public async Task R_P4_a_project_join_whose_silo_dies_resumes_pays_the_SSC_once_and_keeps_the_audit_balanced()
    {
        await using var cluster = await StartClusterAsync(itemsPerBatch: 2);
        var world = new World(cluster.Client);
        var (company, _) = await world.CompanyAsync();
        var source = await world.ProjectAsync(company);
        var target = await world.ProjectAsync(company);
        await world.FundAsync(company, source, (Type, 50));
        await world.FundAsync(company, target, ("SSC", 100_000));
        var devices = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            var (mac, _) = await world.DeviceAsync(company, source);
            await world.AddAsync(company, mac, [], (Type, 1));
            devices.Add(mac);
        }

        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var ssaEnd = today.AddYears(1);
        var underSsa = await world.Ledger.SetSsaAsync(new SsaCommand(company, target, ssaEnd, null, DryRun: false, [], BuyOnCredit: false, null, "admin@example.com"));
        Assert.True(underSsa.Confirmed);
        var quoted = await cluster.Client.GetGrain<IProjectJoinQuoteGrain>(0).PreviewAsync(company, source, target, today);
        Assert.Equal(12, quoted.Ssa.Length);

        var join = await LicensingCluster.OffTheFirstSiloAsync<IProjectJoinProcessGrain>(cluster);
        await join.StartAsync(new ProjectJoinPlan(company, source, target, "admin@example.com", today));
        var midway = await Eventually.UntilAsync(join.GetStatusAsync, s => s.BatchesDone >= 2, TimeSpan.FromSeconds(60));
        Assert.True(midway.State == ProcessState.Running && midway.BatchesDone < 6, $"the join finished ({midway}) before its silo could be killed");
        await KillHostAsync(cluster, join, midway);

        // The last batch deletes the source: waiting on it calls nothing the join's reminder would not.
        Assert.True(await UntilGoneAsync(() => cluster.Client.GetGrain<IProjectGrain>(source).GetAsync()), "the join did not resume after its silo died");
        var status = await Eventually.UntilAsync(join.GetStatusAsync, s => s.State != ProcessState.Running, TimeSpan.FromSeconds(30));
        output.WriteLine($"status after the loss: {status}");
        Assert.Equal(ProcessState.Completed, status.State);
        Assert.Equal(1 + 6 + 1 + 1, status.BatchesDone); // funds, 12 devices by 2, 1 key, close

        var balance = await Read(() => world.BalanceAsync(target));
        Assert.Equal(50 - 12, balance[Type]);
        Assert.Equal(100_000 - quoted.TotalSsc, balance["SSC"]);
        Assert.Equal(devices.Order(StringComparer.Ordinal), (await Read(() => cluster.Client.GetGrain<IProjectGrain>(target).ListDevicesAsync())).Order(StringComparer.Ordinal));
        foreach (var mac in devices)
        {
            var device = await Read(() => cluster.Client.GetGrain<IDeviceGrain>(mac).GetAsync());
            Assert.Equal(target, device.ProjectId);
            Assert.Equal(ssaEnd, Assert.Single(device.Lots).SsaEndDate);
        }

        await world.AssertBalancedAsync(settle: TimeSpan.FromSeconds(30), output);
    }

    private Task<InProcessTestCluster> StartClusterAsync(int itemsPerBatch) =>
        LicensingCluster.StartAsync(3, new StorageSettings { Provider = StorageProvider.Sqlite, DataDirectory = _dataDirectory }, silo =>
        {
            silo.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
            silo.Configure<DurableProcessOptions>(o =>
            {
                o.BatchInterval = TimeSpan.FromMilliseconds(300);
                o.ReminderPeriod = TimeSpan.FromSeconds(2);
            });
            silo.Configure<JoinOptions>(o => o.ItemsPerBatch = itemsPerBatch);
        });

    private async Task KillHostAsync(InProcessTestCluster cluster, IDurableProcessGrain process, ProcessStatus midway)
    {
        var host = await cluster.Client.GetGrain<IManagementGrain>(0).GetActivationAddress(process, TestContext.Current.CancellationToken);
        output.WriteLine($"killing {host} after {midway.BatchesDone} batches");
        await cluster.KillSiloAsync(cluster.Silos.Single(s => s.SiloAddress.Equals(host)), TestContext.Current.CancellationToken);
        await cluster.StartAdditionalSiloAsync();
    }

    /// <summary>True once <paramref name="read"/> answers NotFound (within two minutes).</summary>
    private static Task<bool> UntilGoneAsync<T>(Func<Task<T>> read) =>
        Eventually.UntilAsync(
            async () =>
            {
                try
                {
                    await read();
                    return false;
                }
                catch (LicensingException e) when (e.Code == ErrorCodes.NotFound)
                {
                    return true;
                }
            },
            gone => gone,
            TimeSpan.FromSeconds(120));

    /// <summary>A read that may fail while the cluster recovers from the loss.</summary>
    private static Task<T> Read<T>(Func<Task<T>> read) => TransientFailures.ReadAsync(read);

    public void Dispose() => Eventually.DeleteDirectory(_dataDirectory);
}
