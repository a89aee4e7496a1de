using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Grains;
using OrleansLicensing.Grains.Processes;
using OrleansLicensing.Silo;

namespace OrleansLicensing.ClusterTests;

/// <summary>
/// The durable process pattern (<see cref="DurableProcessGrain{TPlan}"/>) with a test process that
/// moves units between two projects batch by batch through the ledger: every batch is applied
/// exactly once, across a crash between a batch's commit and its cursor save and across the
/// loss of the silo that runs it.
/// </summary>
public sealed class DurableProcessTests(ITestOutputHelper output) : IDisposable
{
    private const string Type = "PBX-Port8*20";
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "orleans-licensing-process", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task A_batch_that_committed_before_a_crash_is_not_applied_again_when_the_process_resumes()
    {
        await using var cluster = await LicensingCluster.StartAsync(1, new StorageSettings { Provider = StorageProvider.Memory });
        var world = new World(cluster.Client);
        var (company, from) = await world.CompanyAsync();
        var to = await world.ProjectAsync(company);
        await world.FundAsync(company, from, (Type, 100));
        var plan = new UnitTransferPlan(company, from, to, Type, Units: 60, UnitsPerBatch: 10, CrashAfterBatch: 2);
        var process = cluster.Client.GetGrain<IUnitTransferProcessGrain>(Guid.NewGuid().ToString("N"));
        Assert.Equal(ProcessState.NotStarted, (await process.GetStatusAsync()).State);

        var started = await process.StartAsync(plan);
        Assert.Equal(ProcessState.Running, started.State);
        Assert.Equal(ErrorCodes.Conflict, (await Assert.ThrowsAsync<LicensingException>(() => process.StartAsync(plan with { Units = 70 }))).Code);

        var status = await Eventually.UntilAsync(process.GetStatusAsync, s => s.State != ProcessState.Running, TimeSpan.FromSeconds(30));
        Assert.Equal(ProcessState.Completed, status.State);
        Assert.Equal(6, status.BatchesDone);
        Assert.Equal(60, status.ItemsDone);

        // Batch 2 ran twice (its first run "crashed" after the commit); the ledger replayed the second run.
        Assert.Equal(40, (await world.BalanceAsync(from))[Type]);
        Assert.Equal(60, (await world.BalanceAsync(to))[Type]);
        Assert.Equal(status, await process.StartAsync(plan));
        await world.AssertBalancedAsync();
    }

    [Fact]
    public async Task A_process_whose_silo_dies_is_resumed_by_its_reminder_and_applies_every_batch_exactly_once()
    {
        await using var cluster = await LicensingCluster.StartAsync(3, new StorageSettings { Provider = StorageProvider.Sqlite, DataDirectory = _dataDirectory }, silo =>
        {
            silo.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
            silo.Configure<DurableProcessOptions>(o =>
            {
                o.BatchInterval = TimeSpan.FromMilliseconds(300);
                o.ReminderPeriod = TimeSpan.FromSeconds(2);
            });
        });
        var world = new World(cluster.Client);
        var (company, from) = await world.CompanyAsync();
        var to = await world.ProjectAsync(company);
        await world.FundAsync(company, from, (Type, 300));
        var plan = new UnitTransferPlan(company, from, to, Type, Units: 200, UnitsPerBatch: 10);

        // A process activated on a silo other than the first (which hosts the test cluster's membership).
        var management = cluster.Client.GetGrain<IManagementGrain>(0);
        IUnitTransferProcessGrain process;
        SiloAddress? host;
        do
        {
            process = cluster.Client.GetGrain<IUnitTransferProcessGrain>(Guid.NewGuid().ToString("N"));
            await process.GetStatusAsync();
            host = await management.GetActivationAddress(process, TestContext.Current.CancellationToken);
        }
        while (host is null || host.Equals(cluster.Silos[0].SiloAddress));

        await process.StartAsync(plan);
        var midway = await Eventually.UntilAsync(process.GetStatusAsync, s => s.BatchesDone >= 4, TimeSpan.FromSeconds(60));
        Assert.Equal(ProcessState.Running, midway.State);
        Assert.True(midway.BatchesDone < 20, $"the process finished ({midway.BatchesDone} batches) before its silo could be killed");

        output.WriteLine($"killing {host} after {midway.BatchesDone} batches");
        await cluster.KillSiloAsync(cluster.Silos.Single(s => s.SiloAddress.Equals(host)), TestContext.Current.CancellationToken);
        await cluster.StartAdditionalSiloAsync();

        // Nothing calls the process now: only its reminder can bring it back to finish the transfer.
        var moved = await Eventually.UntilAsync(
            async () => (await TransientFailures.ReadAsync(() => cluster.Client.GetGrain<IProjectGrain>(to).GetBalanceAsync())).GetValueOrDefault(Type),
            units => units >= 200,
            TimeSpan.FromSeconds(120));
        Assert.Equal(200, moved);

        var status = await Eventually.UntilAsync(process.GetStatusAsync, s => s.State != ProcessState.Running, TimeSpan.FromSeconds(30));
        output.WriteLine($"status after the loss: {status}");
        Assert.Equal(ProcessState.Completed, status.State);
        Assert.Equal(20, status.BatchesDone);
        Assert.Equal(200, status.ItemsDone);
        Assert.Equal(100, (await TransientFailures.ReadAsync(() => cluster.Client.GetGrain<IProjectGrain>(from).GetBalanceAsync()))[Type]);
        Assert.Equal(200, (await TransientFailures.ReadAsync(() => cluster.Client.GetGrain<IProjectGrain>(to).GetBalanceAsync()))[Type]);
        await world.AssertBalancedAsync(settle: TimeSpan.FromSeconds(30), output);
    }

    public void Dispose() => Eventually.DeleteDirectory(_dataDirectory);
}
