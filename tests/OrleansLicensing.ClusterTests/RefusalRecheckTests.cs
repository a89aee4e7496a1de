using Microsoft.Extensions.DependencyInjection;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains;

namespace OrleansLicensing.ClusterTests;

/// <summary>
/// A refusal must rest on committed state (D127). The schedule of the silo-kill test's false
/// <c>KeyAlreadyAssigned</c>, made deterministic with the call gate: a redeem's first attempt
/// prepares the key, then aborts (its manager waits in vain for the project's prepare, which the
/// gate holds, for the 5 s prepare timeout), and the abort's cancel to the key is held too — as
/// when the key's silo died and the cancel went to it. The ledger's second attempt then reads the
/// key as the first attempt prepared it: redeemed.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class RefusalRecheckTests(SharedCluster shared)
{
    private static readonly TimeSpan GateTimeout = TimeSpan.FromSeconds(30);
    private readonly World _world = new(shared.Grains);

    [Fact]
    public async Task R_K2_a_redeem_whose_aborted_first_attempt_left_the_key_prepared_redeems_it_instead_of_refusing()
    {
        var (company, project) = await _world.CompanyAsync();
        var code = await _world.KeyAsync(("PBX-Port8*20", 3));
        var overturnedBefore = Rechecks(LedgerMetrics.RecheckOverturned);
        var startedBefore = await RechecksStarted();

        // The redeem's manager is the idempotency record (the first participant that writes), so
        // the key and the project take a prepare message each from the ledger.
        var prepare = shared.Gate.Arm("Prepare", project);
        CallGate.Hold? cancel = null;
        Task<RedeemResult> redeem;
        try
        {
            redeem = _world.Ledger.RedeemKeyAsync(code, company, project, null, new IdempotencyToken($"user:{Guid.NewGuid():N}", "POST /activations"));
            await prepare.Reached.WaitAsync(GateTimeout, TestContext.Current.CancellationToken);
            cancel = shared.Gate.ArmEvery("Cancel", code);
            await cancel.Reached.WaitAsync(GateTimeout, TestContext.Current.CancellationToken);

            // The second attempt finds the key prepared as redeemed. Before D127 the redeem ended
            // here with KeyAlreadyAssigned; now the ledger waits for the key's pending transaction.
            await Task.WhenAny(redeem, Eventually.UntilAsync(RechecksStarted, count => count > startedBefore, GateTimeout));
            Assert.False(redeem.IsCompleted, redeem.IsFaulted ? redeem.Exception!.InnerException!.Message : "the redeem ended while the key's first attempt was unresolved");
            Assert.Equal(startedBefore + 1, await RechecksStarted());
        }
        finally
        {
            cancel?.Release();
            prepare.Release();
        }

        var result = await redeem.WaitAsync(GateTimeout, TestContext.Current.CancellationToken);
        Assert.Equal(project, result.ProjectId);
        Assert.Equal(overturnedBefore + 1, Rechecks(LedgerMetrics.RecheckOverturned));
        Assert.Equal(3, (await _world.BalanceAsync(project))["PBX-Port8*20"]);
        Assert.Equal(project, (await shared.Grains.GetGrain<IActivationKeyGrain>(code).GetAsync()).AssignedProjectId);
        await _world.AssertBalancedAsync();
    }

    [Fact]
    public async Task R_K2_a_refusal_checked_again_on_committed_state_stands()
    {
        var (company, project) = await _world.CompanyAsync();
        var other = await _world.ProjectAsync(company);
        var code = await _world.KeyAsync(("PBX-Port8*20", 1));
        await _world.Ledger.RedeemKeyAsync(code, company, project, null);
        var stoodBefore = Rechecks(LedgerMetrics.RecheckStood);

        var refused = await Assert.ThrowsAsync<LicensingException>(() => _world.Ledger.RedeemKeyAsync(code, company, other, null));

        Assert.Equal(ErrorCodes.KeyAlreadyAssigned, refused.Code);
        Assert.Equal(stoodBefore + 1, Rechecks(LedgerMetrics.RecheckStood));
        Assert.Empty(await _world.BalanceAsync(other));
    }

    private long Rechecks(string outcome) => shared.Cluster.Silos.Sum(s => s.SiloHost.Services.GetRequiredService<LedgerMetrics>().RefusalRechecks(outcome));

    private Task<long> RechecksStarted() => Task.FromResult(shared.Cluster.Silos.Sum(s => s.SiloHost.Services.GetRequiredService<LedgerMetrics>().RefusalRechecksStarted));
}
