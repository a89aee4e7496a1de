using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains;
using OrleansLicensing.Grains.Domain;
using OrleansLicensing.Grains.Grains;
using OrleansLicensing.Grains.Ledger;

namespace OrleansLicensing.ClusterTests;

/// <summary>The runner acts on what a move declares, so a move it has never seen needs no code in it.</summary>
[Collection(ClusterCollection.Name)]
public sealed class LedgerRunnerTests(SharedCluster shared)
{
    private readonly World _world = new(shared.Grains);

    [Fact]
    public async Task A_new_move_gets_holder_registration_and_device_refresh_from_its_declaration_alone()
    {
        var (company, project) = await _world.CompanyAsync();
        var (mac, secret) = await _world.DeviceAsync(company, project);
        var device = shared.Grains.GetGrain<IDeviceGrain>(mac);
        var registry = shared.Grains.GetGrain<IHolderRegistryGrain>(HolderRegistryGrain.ShardOf(HolderKinds.Device, mac));
        var holder = new HolderRef(HolderKinds.Device, mac);
        var before = await device.PollAsync(secret, null);
        Assert.DoesNotContain(holder, await registry.ListAsync());

        var runner = new LedgerRunner(
            shared.Cluster.Client,
            shared.Cluster.Client.ServiceProvider.GetRequiredService<ITransactionClient>(),
            shared.Cluster.Silos[0].SiloHost.Services.GetRequiredService<LedgerMetrics>(),
            NullLogger<LedgerRunner>.Instance);
        var lot = new LicenseLot("Relay-PRI", 2, "V13", new DateOnly(2026, 1, 1), null, null, LotSources.ActivationKey) { LotId = Guid.NewGuid().ToString("N") };
        var change = await runner.RunAsync(new MintOntoDeviceMove(company, mac, lot));

        Assert.Equal(project, change.ProjectId);
        Assert.Contains(holder, await registry.ListAsync());

        // The device's view is rebuilt only when it is told to refresh (or on a poll, which has not happened yet).
        Assert.Equal([lot.LotId], (await device.GetAsync()).Lots.Select(l => l.LotId));
        var after = await device.PollAsync(secret, before.ETag);
        Assert.Equal(DevicePollStatus.Ok, after.Status);
        Assert.Contains("Relay-PRI", Encoding.UTF8.GetString(after.Body!), StringComparison.Ordinal);

        // The audit finds the device (registered) and its units (minted by the move).
        await _world.AssertBalancedAsync();
    }

    /// <summary>A move the product does not have: the vendor mints units straight onto a device.</summary>
    private sealed class MintOntoDeviceMove(string companyId, string mac, LicenseLot lot) : LedgerMove<DeviceLotChange>
    {
        public override string Kind => "test-mint-onto-device";

        public override IReadOnlyList<HolderRef> Holders { get; } = [DeviceHolder(mac)];

        public override async Task<DeviceLotChange> ExecuteAsync(LedgerContext context)
        {
            await context.MintLedger.RecordMintAsync(LicenseMath.ToMap([KeyValuePair.Create(lot.Type, lot.Units)]));
            return await context.Device(mac).AddLotsAsync(companyId, [lot]);
        }

        public override IReadOnlyDictionary<string, int> UnitsMoved(DeviceLotChange result) => LicenseMath.Empty;
    }
}
