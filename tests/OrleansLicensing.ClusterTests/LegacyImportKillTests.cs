using System.Collections.Immutable;
using System.Globalization;
using Orleans.Hosting;
using Orleans.TestingHost;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Grains;
using OrleansLicensing.Grains.Legacy;
using OrleansLicensing.Grains.Processes;
using OrleansLicensing.Silo;

namespace OrleansLicensing.ClusterTests;

/// <summary>
/// A legacy import into a project (R-I2) whose silo dies in the middle: the import's reminder
/// resumes it on another silo, every device is imported exactly once (its licenses on it once,
/// its units minted once, reported <c>imported</c>), and the conservation audit shows no difference.
/// </summary>
public sealed class LegacyImportKillTests(ITestOutputHelper output) : IDisposable
{
    private const string Type = "PBX-Port8";
    private const int Devices = 40;
    private const int Balance = 30;
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "orleans-licensing-import", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task R_I2_an_import_whose_silo_dies_resumes_and_imports_every_device_exactly_once_with_the_audit_balanced()
    {
        await using var cluster = await StartClusterAsync();
        var world = new World(cluster.Client);
        var (company, project) = await world.CompanyAsync();

        // 40 old devices across two MAC blocks (…-7f-ec … …-80-13), one license each, 1 to 4 units.
        var group = $"g-{Guid.NewGuid():N}"[..12];
        var login = $"old-{Guid.NewGuid():N}"[..12];
        var first = 0x2a7fec;
        var devices = Enumerable.Range(0, Devices).Select(i => new LegacyDevice(
            Mac.FromSuffix(first + i).ToString(),
            "IP6000",
            [new LegacyLicense(Type, 1 + (i % 4), "V8", new DateOnly(2010, 3, 1), login)])).ToImmutableArray();
        var units = devices.Sum(d => d.Licenses.Sum(l => l.Units));
        var exportId = $"kill-{Guid.NewGuid():N}"[..16];
        var password = new LegacyPasswordHash("pbkdf2-sha256", 1_000, Convert.ToBase64String(new byte[16]), Convert.ToBase64String(new byte[32]));
        await cluster.Client.GetGrain<ILegacyExportPartGrain>($"{exportId}/0").StoreAsync(new LegacyExportPart(
            0, 1, [new LegacyAccount(login, group, password)], [new LegacyGroup(group, "Old reseller", World.Units((Type, Balance)))], devices));
        await cluster.Client.GetGrain<ILegacyExportGrain>(exportId).PartStoredAsync(0, 1);
        var loaded = await Eventually.UntilAsync(() => cluster.Client.GetGrain<ILegacyExportGrain>(exportId).GetStatusAsync(), s => s.Load.State != ProcessState.Running, TimeSpan.FromSeconds(60));
        Assert.Equal(ProcessState.Completed, loaded.Load.State);
        var macs = await cluster.Client.GetGrain<ILegacyGroupGrain>(group).ListDevicesAsync();
        Assert.Equal(devices.Select(d => d.Mac).Order(StringComparer.Ordinal), macs);

        var import = await LicensingCluster.OffTheFirstSiloAsync<ILegacyImportProcessGrain>(cluster);
        await import.StartAsync(new LegacyImportPlan(company, project, group, IncludeBalance: true, macs));
        var midway = await Eventually.UntilAsync(import.GetStatusAsync, s => s.BatchesDone >= 3, TimeSpan.FromSeconds(60));
        Assert.Equal(ProcessState.Running, midway.State);
        Assert.True(midway.BatchesDone < 8, $"the import finished ({midway.BatchesDone} batches) before its silo could be killed");

        var host = await cluster.Client.GetGrain<IManagementGrain>(0).GetActivationAddress(import, TestContext.Current.CancellationToken);
        output.WriteLine($"killing {host} after {midway.BatchesDone} batches");
        await cluster.KillSiloAsync(cluster.Silos.Single(s => s.SiloAddress.Equals(host)), TestContext.Current.CancellationToken);
        await cluster.StartAdditionalSiloAsync();

        // Nothing calls the import for a while: only its reminder can bring it back.
        await Task.Delay(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        var status = await Eventually.UntilAsync(() => Read(import.GetStatusAsync), s => s.State != ProcessState.Running, TimeSpan.FromSeconds(120));
        output.WriteLine($"status after the loss: {status}");
        Assert.Equal(ProcessState.Completed, status.State);
        Assert.Equal(1 + (Devices / 5), status.BatchesDone); // the balance, then 5 devices per batch

        var outcome = await Read(() => import.GetOutcomeAsync(company, 0, 100));
        Assert.Equal(World.Units((Type, Balance)), outcome.Balance);
        Assert.Equal(Devices, outcome.Counts[LegacyDeviceStatus.Imported]);
        Assert.Equal(Devices, outcome.Counts.Values.Sum());
        Assert.All(outcome.Devices, d => Assert.Equal(LegacyDeviceStatus.Imported, d.Status));

        foreach (var old in devices)
        {
            var device = await Read(() => cluster.Client.GetGrain<IDeviceGrain>(old.Mac).GetAsync());
            Assert.Equal(project, device.ProjectId);
            var lot = Assert.Single(device.Lots);
            Assert.Equal((Type, old.Licenses[0].Units, LotSources.Import), (lot.Type, lot.Units, lot.Source));
            Assert.NotNull((await Read(() => cluster.Client.GetGrain<ILegacyDeviceGrain>(old.Mac).GetAsync()))!.Imported);
        }

        Assert.Equal(macs, (await Read(() => cluster.Client.GetGrain<IProjectGrain>(project).ListDevicesAsync())).Order(StringComparer.Ordinal));
        Assert.Equal(Balance, (await Read(() => world.BalanceAsync(project)))[Type]);
        var minted = await Read(() => cluster.Client.GetGrain<IMintLedgerGrain>(IMintLedgerGrain.Key).GetTotalsAsync());
        Assert.Equal(Balance + units, minted.MintedBySource[LotSources.Import][Type]);

        // A second import of the same devices mints nothing more: each is AlreadyImported.
        var again = cluster.Client.GetGrain<ILegacyImportProcessGrain>(Guid.NewGuid().ToString("N"));
        await again.StartAsync(new LegacyImportPlan(company, project, group, IncludeBalance: true, macs));
        Assert.Equal(ProcessState.Completed, (await Eventually.UntilAsync(again.GetStatusAsync, s => s.State != ProcessState.Running, TimeSpan.FromSeconds(60))).State);
        var second = await again.GetOutcomeAsync(company, 0, 100);
        Assert.Equal(ErrorCodes.AlreadyImported, second.BalanceCode);
        Assert.Equal(Devices, second.Counts[LegacyDeviceStatus.Error]);
        Assert.All(second.Devices, d => Assert.Equal(ErrorCodes.AlreadyImported, d.Code));
        Assert.Equal(Balance + units, (await cluster.Client.GetGrain<IMintLedgerGrain>(IMintLedgerGrain.Key).GetTotalsAsync()).MintedBySource[LotSources.Import][Type]);

        await world.AssertBalancedAsync(settle: TimeSpan.FromSeconds(30), output);
    }

    private Task<InProcessTestCluster> StartClusterAsync() =>
        LicensingCluster.StartAsync(3, new StorageSettings { Provider = StorageProvider.Sqlite, DataDirectory = _dataDirectory }, silo =>
        {
            silo.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
            silo.Configure<DurableProcessOptions>(o =>
            {
                o.BatchInterval = TimeSpan.FromMilliseconds(300);
                o.ReminderPeriod = TimeSpan.FromSeconds(2);
            });
            silo.Configure<LegacyImportOptions>(o => o.DevicesPerBatch = 5);
        });

    /// <summary>A read that may fail while the cluster recovers from the loss.</summary>
    private static Task<T> Read<T>(Func<Task<T>> read) => TransientFailures.ReadAsync(read);

    public void Dispose() => Eventually.DeleteDirectory(_dataDirectory);
}
