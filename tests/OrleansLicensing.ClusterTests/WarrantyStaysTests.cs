using OrleansLicensing.Contracts;

namespace OrleansLicensing.ClusterTests;

/// <summary>R-L7: warranty lots never leave their device — not by a return to the free pool, named or not.</summary>
public sealed class WarrantyStaysTests(SingleSiloCluster shared) : IClassFixture<SingleSiloCluster>
{
    private readonly World _world = new(shared.Grains);

    [Fact]
    public async Task R_L7_warranty_lots_never_go_to_the_free_pool()
    {
        var (company, project) = await _world.CompanyAsync();
        await _world.FundAsync(company, project, ("Warranty", 4), ("PBX-Port8", 3));
        var (mac, _) = await _world.DeviceAsync(company, project);

        // Shipped 2026-01-01, long before today: the normal type.
        var added = await _world.Ledger.AddWarrantyAsync(company, mac, 2);
        var warranty = Assert.Single(added.Lots, l => l.Type == "Warranty");
        Assert.Equal(2, warranty.Units);
        await _world.AddAsync(company, mac, [], ("PBX-Port8", 3));

        // Named: refused, nothing moves.
        var refused = await Assert.ThrowsAsync<LicensingException>(() => _world.Ledger.ReturnToFreePoolAsync(company, mac, [warranty.LotId]));
        Assert.Equal(ErrorCodes.ConsistencyViolation, refused.Code);
        Assert.Equal(2, (await shared.Grains.GetGrain<IDeviceGrain>(mac).GetLotsAsync()).Length);

        // Unnamed (the PBX lots, as an invalidation returns them): the warranty stays.
        var returned = await _world.Ledger.ReturnToFreePoolAsync(company, mac, []);
        Assert.Equal("PBX-Port8", Assert.Single(returned).Type);
        Assert.Equal(warranty.LotId, Assert.Single(await shared.Grains.GetGrain<IDeviceGrain>(mac).GetLotsAsync()).LotId);
        Assert.DoesNotContain(await shared.Grains.GetGrain<IProjectGrain>(project).GetFreePoolAsync(), l => l.Type == "Warranty");
        await _world.AssertBalancedAsync();
    }
}
