using System.Collections.Immutable;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using OrleansLicensing.Contracts;

namespace OrleansLicensing.ClusterTests;

[Collection(ClusterCollection.Name)]
public sealed class HotPathAndIdempotencyTests(SharedCluster shared)
{
    private readonly World _world = new(shared.Grains);

    [Fact]
    public async Task R_C3_polls_are_served_without_storage_calls_and_see_a_commit_within_a_second()
    {
        var (company, project) = await _world.CompanyAsync();
        await _world.FundAsync(company, project, ("PBX-Port8*20", 3));
        var (mac, secret) = await _world.DeviceAsync(company, project);
        var device = shared.Grains.GetGrain<IDeviceGrain>(mac);
        var first = await device.PollAsync(secret, null);
        Assert.Equal(DevicePollStatus.Ok, first.Status);

        var storageCallsBefore = StorageCalls();
        for (var i = 0; i < 200; i++)
        {
            var answer = await device.PollAsync(secret, i % 2 == 0 ? first.ETag : null);
            Assert.Equal(i % 2 == 0 ? DevicePollStatus.NotModified : DevicePollStatus.Ok, answer.Status);
        }

        Assert.Equal(storageCallsBefore, StorageCalls());

        await _world.AddAsync(company, mac, [], ("PBX-Port8*20", 1));
        var clock = Stopwatch.StartNew();
        DevicePollResponse changed;
        do
        {
            changed = await device.PollAsync(secret, first.ETag);
        }
        while (changed.Status == DevicePollStatus.NotModified && clock.Elapsed < TimeSpan.FromSeconds(1));

        Assert.Equal(DevicePollStatus.Ok, changed.Status);
        Assert.NotEqual(first.ETag, changed.ETag);
        Assert.Contains("\"units\":1", System.Text.Encoding.UTF8.GetString(changed.Body!), StringComparison.Ordinal);
    }

    [Fact]
    public async Task R_C3_a_commit_whose_notice_is_lost_is_answered_from_the_last_committed_state_and_then_seen_by_a_later_poll()
    {
        var (company, project) = await _world.CompanyAsync();
        var (mac, secret) = await _world.DeviceAsync(company, project);
        var device = shared.Grains.GetGrain<IDeviceGrain>(mac);
        var before = await device.PollAsync(secret, null);

        // A transaction that writes the device's lots without the ledger's post-commit refresh,
        // as when the ledger's silo dies right after the commit.
        var lot = new LicenseLot("Relay-PRI", 1, "V13", new DateOnly(2026, 1, 1), null, null, "Test") { LotId = Guid.NewGuid().ToString("N") };
        var transactions = shared.Cluster.Client.ServiceProvider.GetRequiredService<Orleans.ITransactionClient>();
        await transactions.RunTransaction(Orleans.TransactionOption.Create, () => device.AddLotsAsync(company, [lot]));

        // The poll never waits to find out: it answers from the last committed state it was told
        // about, and reads committed state in the background once the notice is overdue (1 s).
        var first = await device.PollAsync(secret, before.ETag);
        Assert.Equal(DevicePollStatus.NotModified, first.Status);
        var after = first;
        for (var poll = 0; poll < 100 && after.Status == DevicePollStatus.NotModified; poll++)
        {
            await Task.Delay(50, TestContext.Current.CancellationToken);
            after = await device.PollAsync(secret, before.ETag);
        }

        Assert.Equal(DevicePollStatus.Ok, after.Status);
        Assert.Contains("Relay-PRI", System.Text.Encoding.UTF8.GetString(after.Body!), StringComparison.Ordinal);

        // Undo outside the audit's view: this test minted nothing, so take the lot away again.
        await transactions.RunTransaction(Orleans.TransactionOption.Create, () => device.TakeLotsAsync(company, LotSelection.ByIds, [lot.LotId]));
    }

    [Fact]
    public async Task A_retried_idempotent_redeem_returns_the_first_result_and_applies_once()
    {
        var (company, project) = await _world.CompanyAsync();
        var key = await _world.KeyAsync(("Relay-PRI", 3));
        var token = new IdempotencyToken($"user:{Guid.NewGuid():N}", "POST /activations {key}");

        // The first attempt commits; its answer is "lost". The retries (also concurrent ones)
        // must return the same result without crediting again.
        var first = await _world.Ledger.RedeemKeyAsync(key, company, project, null, token);
        var retries = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => _world.Ledger.RedeemKeyAsync(key, company, project, null, token)));

        Assert.All(retries, r =>
        {
            Assert.Equal(first.Key, r.Key);
            Assert.Equal(first.ProjectId, r.ProjectId);
            Assert.Equal(first.Licenses, r.Licenses);
        });
        Assert.Equal(3, (await _world.BalanceAsync(project))["Relay-PRI"]);

        // The same key for a different request is refused.
        var other = await Assert.ThrowsAsync<LicensingException>(() => _world.Ledger.RedeemKeyAsync(key, company, project, "other", token with { Fingerprint = "different" }));
        Assert.Equal(ErrorCodes.IdempotencyKeyReused, other.Code);
    }

    [Fact]
    public async Task Concurrent_duplicates_with_one_idempotency_key_apply_once()
    {
        var (company, project) = await _world.CompanyAsync();
        await _world.FundAsync(company, project, ("PBX-Port8*20", 10));
        var (mac, _) = await _world.DeviceAsync(company, project);
        var token = new IdempotencyToken($"user:{Guid.NewGuid():N}", "POST /licenses 2");

        var results = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ =>
            _world.Ledger.AddLicensesFromBalanceAsync(new AddLicensesCommand(company, mac, "V13", World.Units(("PBX-Port8*20", 2)), [], false), token)));

        Assert.All(results, r => Assert.Equal(results[0].Lots.Select(l => l.LotId), r.Lots.Select(l => l.LotId)));
        Assert.Equal(8, (await _world.BalanceAsync(project))["PBX-Port8*20"]);
        Assert.Single(await shared.Grains.GetGrain<IDeviceGrain>(mac).GetLotsAsync());
    }

    [Fact]
    public async Task Every_unit_move_keeps_the_audit_balanced()
    {
        var (company, p1) = await _world.CompanyAsync();
        var p2 = await _world.ProjectAsync(company);
        await _world.FundAsync(company, p1, ("PBX-Port8*20", 6), ("SSC", 500));
        await _world.FundAsync(company, p2, ("PBX-Port8*20", 4));
        var (a, _) = await _world.DeviceAsync(company, p1);
        var (b, _) = await _world.DeviceAsync(company, p1);

        // R-P6: 8 units, 6 from the device's project then 2 from the named one.
        var added = await _world.AddAsync(company, a, [p2], ("PBX-Port8*20", 8));
        Assert.Equal([p1, p2], added.Debited.Select(d => d.ProjectId));
        Assert.Equal(2, added.Debited[1].Licenses["PBX-Port8*20"]);

        var returned = await _world.Ledger.ReturnToFreePoolAsync(company, a, []);
        Assert.Equal(8, returned.Sum(l => l.Units));
        var pooled = await shared.Grains.GetGrain<IProjectGrain>(p1).GetFreePoolAsync();
        await _world.Ledger.AddFromFreePoolAsync(company, b, [pooled[0].LotId]);
        await _world.Ledger.MoveLicensesAsync(company, b, a);
        Assert.True((await shared.Grains.GetGrain<IDeviceGrain>(b).GetAsync()).Rma);
        await _world.Ledger.ReturnToFreePoolAsync(company, a, []);
        var converted = await _world.Ledger.ConvertFreePoolAsync(company, p1, [.. (await shared.Grains.GetGrain<IProjectGrain>(p1).GetFreePoolAsync()).Select(l => l.LotId)]);
        Assert.Equal(8, converted["PBX-Port8*20"]);
        Assert.Equal(500 - (8 * 54), (await _world.BalanceAsync(p1))["SSC"]);

        await _world.Ledger.TransferBalanceAsync(company, p1, p2, World.Units(("PBX-Port8*20", 3)));
        var own = await _world.Ledger.CreateOwnKeyAsync(new OwnKeyDraft(company, p2, World.Units(("PBX-Port8*20", 2)), "for a customer", "PO-1", "REF-1"));
        await _world.Ledger.UpdateOwnKeyAsync(company, own.Key, World.Units(("PBX-Port8*20", -1)));
        var (other, otherProject) = await _world.CompanyAsync();
        await _world.Ledger.RedeemKeyAsync(own.Key, other, otherProject, null);
        Assert.Equal(1, (await _world.BalanceAsync(otherProject))["PBX-Port8*20"]);
        var deleted = await Assert.ThrowsAsync<LicensingException>(() => _world.Ledger.DeleteOwnKeyAsync(company, own.Key));
        Assert.Equal(ErrorCodes.KeyAlreadyAssigned, deleted.Code);

        await _world.AssertBalancedAsync();
    }

    private long StorageCalls() => Enumerable.Range(0, shared.Cluster.Silos.Count).Sum(i => shared.Cluster.Instrumentation(i).Total);
}
