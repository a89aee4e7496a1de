using OrleansLicensing.Contracts;

namespace OrleansLicensing.ClusterTests;

/// <summary>
/// R-C1 when a device changes project in the middle of a free-pool move: the project whose pool
/// the lots use is the device's project when the move commits, never one it has already left.
/// The gate holds the ledger's first call to the device or pool, the device moves, then the
/// ledger goes on — the schedule in which a precondition read before the transaction went stale.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class DeviceMembershipRaceTests(SharedCluster shared)
{
    private static readonly TimeSpan GateTimeout = TimeSpan.FromSeconds(20);
    private readonly World _world = new(shared.Grains);

    [Fact]
    public async Task R_C1_lots_returned_while_the_device_moves_to_another_project_go_to_the_pool_of_its_new_project()
    {
        var (company, oldProject) = await _world.CompanyAsync();
        var newProject = await _world.ProjectAsync(company);
        await _world.FundAsync(company, oldProject, ("PBX-Port8*20", 2));
        var (mac, _) = await _world.DeviceAsync(company, oldProject);
        await _world.AddAsync(company, mac, [], ("PBX-Port8*20", 2));

        var hold = shared.Gate.Arm(nameof(IDeviceGrain.TakeLotsAsync), mac);
        var returning = Outcome.Of(() => _world.Ledger.ReturnToFreePoolAsync(company, mac, []));
        await hold.Reached.WaitAsync(GateTimeout, TestContext.Current.CancellationToken);
        await Device(mac).MoveToProjectAsync(company, newProject);
        hold.Release();
        var outcome = await returning;

        Assert.Equal(newProject, (await Device(mac).GetAsync()).ProjectId);
        Assert.Empty(await Project(oldProject).GetFreePoolAsync());
        var newPool = await Project(newProject).GetFreePoolAsync();
        if (outcome == Outcome.Ok)
        {
            Assert.Equal(2, newPool.Sum(l => l.Units));
            Assert.Empty(await Device(mac).GetLotsAsync());
        }
        else
        {
            Assert.True(Outcome.IsDefiniteFailure(outcome), outcome);
            Assert.Empty(newPool);
            Assert.Equal(2, (await Device(mac).GetLotsAsync()).Sum(l => l.Units));
        }

        await _world.AssertBalancedAsync();
    }

    [Fact]
    public async Task R_L4_a_device_that_left_a_project_cannot_take_lots_from_that_projects_free_pool()
    {
        var (company, oldProject) = await _world.CompanyAsync();
        var newProject = await _world.ProjectAsync(company);
        await _world.FundAsync(company, oldProject, ("PBX-Port8*20", 2));
        var (mac, _) = await _world.DeviceAsync(company, oldProject);
        await _world.AddAsync(company, mac, [], ("PBX-Port8*20", 2));
        var lot = Assert.Single(await _world.Ledger.ReturnToFreePoolAsync(company, mac, []));

        var hold = shared.Gate.Arm(nameof(IProjectGrain.TakeFromFreePoolAsync), oldProject);
        var adding = Outcome.Of(() => _world.Ledger.AddFromFreePoolAsync(company, mac, [lot.LotId]));
        await hold.Reached.WaitAsync(GateTimeout, TestContext.Current.CancellationToken);
        await Device(mac).MoveToProjectAsync(company, newProject);
        hold.Release();
        var outcome = await adding;

        // The device was in the new project before the transaction touched any pool: the lot
        // of the old project's pool is not its to take, so the operation fails with nothing applied.
        Assert.True(Outcome.IsDefiniteFailure(outcome), $"adding from the old project's pool ended {outcome}");
        Assert.Equal([lot.LotId], (await Project(oldProject).GetFreePoolAsync()).Select(l => l.LotId));
        Assert.Empty(await Device(mac).GetLotsAsync());
        Assert.Equal(newProject, (await Device(mac).GetAsync()).ProjectId);
        await _world.AssertBalancedAsync();
    }

    private IDeviceGrain Device(string mac) => shared.Grains.GetGrain<IDeviceGrain>(mac);

    private IProjectGrain Project(string projectId) => shared.Grains.GetGrain<IProjectGrain>(projectId);
}
