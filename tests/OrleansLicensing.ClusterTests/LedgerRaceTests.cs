using System.Collections.Immutable;
using OrleansLicensing.Contracts;

namespace OrleansLicensing.ClusterTests;

/// <summary>R-C1 under races: the invariants hold when requests collide on different silos.</summary>
[Collection(ClusterCollection.Name)]
public sealed class LedgerRaceTests(SharedCluster shared)
{
    private readonly World _world = new(shared.Grains);

    [Fact]
    public async Task R_K2_a_key_redeemed_concurrently_into_two_companies_is_assigned_exactly_once()
    {
        for (var round = 0; round < 10; round++)
        {
            var (companyA, projectA) = await _world.CompanyAsync();
            var (companyB, projectB) = await _world.CompanyAsync();
            var key = await _world.KeyAsync(("PBX-Port8*20", 5));

            var outcomes = await Task.WhenAll(
                Outcome.Of(() => _world.Ledger.RedeemKeyAsync(key, companyA, projectA, null)),
                Outcome.Of(() => _world.Ledger.RedeemKeyAsync(key, companyB, projectB, null)));

            Assert.Single(outcomes, o => o == Outcome.Ok);
            Assert.Single(outcomes, o => o == ErrorCodes.KeyAlreadyAssigned);
            var credited = (await _world.BalanceAsync(projectA)).GetValueOrDefault("PBX-Port8*20") + (await _world.BalanceAsync(projectB)).GetValueOrDefault("PBX-Port8*20");
            Assert.Equal(5, credited);
        }

        await _world.AssertBalancedAsync();
    }

    [Fact]
    public async Task R_L5_two_concurrent_moves_to_one_empty_device_let_exactly_one_through()
    {
        for (var round = 0; round < 5; round++)
        {
            var (company, project) = await _world.CompanyAsync();
            await _world.FundAsync(company, project, ("PBX-Port8*20", 4), ("Relay-PRI", 4));
            var (a, _) = await _world.DeviceAsync(company, project);
            var (b, _) = await _world.DeviceAsync(company, project);
            var (c, _) = await _world.DeviceAsync(company, project);
            await _world.AddAsync(company, a, [], ("PBX-Port8*20", 2), ("Relay-PRI", 2));
            await _world.AddAsync(company, b, [], ("PBX-Port8*20", 2), ("Relay-PRI", 2));

            var outcomes = await Task.WhenAll(
                Outcome.Of(() => _world.Ledger.MoveLicensesAsync(company, a, c)),
                Outcome.Of(() => _world.Ledger.MoveLicensesAsync(company, b, c)));

            Assert.Single(outcomes, o => o == Outcome.Ok);
            Assert.Single(outcomes, o => o == ErrorCodes.TargetHasLicenses);
            var target = await shared.Grains.GetGrain<IDeviceGrain>(c).GetLotsAsync();
            Assert.Equal(4, target.Sum(l => l.Units));
            var sources = (await shared.Grains.GetGrain<IDeviceGrain>(a).GetLotsAsync()).Length + (await shared.Grains.GetGrain<IDeviceGrain>(b).GetLotsAsync()).Length;
            Assert.Equal(2, sources);
        }

        await _world.AssertBalancedAsync();
    }

    [Fact]
    public async Task R_P5_concurrent_draws_beyond_the_balance_never_make_it_negative()
    {
        var (company, project) = await _world.CompanyAsync();
        await _world.FundAsync(company, project, ("PBX-Port8*20", 10));
        var devices = new List<string>();
        for (var i = 0; i < 16; i++)
        {
            devices.Add((await _world.DeviceAsync(company, project)).Mac);
        }

        var outcomes = await Task.WhenAll(devices.Select(mac => Outcome.Of(() => _world.AddAsync(company, mac, [], ("PBX-Port8*20", 1)))));

        // Every draw either committed, was refused for want of units, or (under heavy
        // contention, after the ledger's retries) aborted with nothing applied.
        Assert.All(outcomes, o => Assert.Contains(o, new[] { Outcome.Ok, ErrorCodes.InsufficientBalance, Outcome.Aborted }));
        var succeeded = outcomes.Count(o => o == Outcome.Ok);
        var aborted = outcomes.Count(o => o == Outcome.Aborted);
        Assert.True(succeeded <= 10, $"{succeeded} draws of 1 succeeded on a balance of 10");
        if (aborted == 0)
        {
            Assert.Equal(10, succeeded);
        }

        Assert.Equal(10 - succeeded, (await _world.BalanceAsync(project)).GetValueOrDefault("PBX-Port8*20"));
        var bound = 0;
        foreach (var mac in devices)
        {
            bound += (await shared.Grains.GetGrain<IDeviceGrain>(mac).GetLotsAsync()).Sum(l => l.Units);
        }

        Assert.Equal(succeeded, bound);
        await _world.AssertBalancedAsync();
    }

    [Fact]
    public async Task R_P6_a_short_balance_names_the_other_projects_that_could_cover_it()
    {
        var (company, home) = await _world.CompanyAsync();
        var rich = await _world.ProjectAsync(company);
        var empty = await _world.ProjectAsync(company);
        await _world.FundAsync(company, home, ("PBX-Port8*20", 1));
        await _world.FundAsync(company, rich, ("PBX-Port8*20", 5));
        var (mac, _) = await _world.DeviceAsync(company, home);

        var refused = await Assert.ThrowsAsync<LicensingException>(() => _world.AddAsync(company, mac, [], ("PBX-Port8*20", 3)));
        Assert.Equal(ErrorCodes.InsufficientBalance, refused.Code);
        Assert.Equal([rich], refused.Extensions["projects"]);
        Assert.Equal(["PBX-Port8*20=2"], refused.Extensions["shortfall"]);
        Assert.Equal(1, (await _world.BalanceAsync(home))["PBX-Port8*20"]);

        // Naming the project draws the rest from it, all or nothing.
        var added = await _world.AddAsync(company, mac, [empty, rich], ("PBX-Port8*20", 3));
        Assert.Equal([home, rich], added.Debited.Select(d => d.ProjectId));
        Assert.Equal(3, (await _world.BalanceAsync(rich))["PBX-Port8*20"]);

        // Another company's project is never a source.
        var (_, foreign) = await _world.CompanyAsync();
        var forbidden = await Assert.ThrowsAsync<LicensingException>(() => _world.AddAsync(company, mac, [foreign], ("PBX-Port8*20", 9)));
        Assert.Equal(ErrorCodes.Forbidden, forbidden.Code);
    }
}
