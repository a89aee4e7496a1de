using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Grains;
using OrleansLicensing.Silo;

namespace OrleansLicensing.ClusterTests;

/// <summary>
/// The audit pages through holders without keeping them in memory (issue 14): a holder whose
/// activation only the audit's read brought in leaves memory right after, while a holder that
/// was in use before the audit stays where it was. Shown on activation keys (holders like
/// devices and projects; the same filter serves all three), on SQLite: the test clusters'
/// memory storage cannot read an immutable dictionary back, so a holder there never comes back
/// once deactivated.
/// </summary>
public sealed class AuditActivationTests(AuditSqliteCluster shared) : IClassFixture<AuditSqliteCluster>
{
    [Fact]
    public async Task Holders_activated_only_by_the_audit_are_deactivated_after_their_reads_and_those_in_use_stay()
    {
        var world = new World(shared.Grains);
        var idle = shared.Grains.GetGrain<IActivationKeyGrain>(await world.KeyAsync(("PBX-Port8", 2)));
        var busy = shared.Grains.GetGrain<IActivationKeyGrain>(await world.KeyAsync(("PBX-Port8", 3)));
        await busy.GetHoldingAsync();

        var withIdle = await KeysActiveAsync();
        await idle.AsReference<Orleans.Core.Internal.IGrainManagementExtension>().DeactivateOnIdle(TestContext.Current.CancellationToken);
        var before = await Eventually.UntilAsync(KeysActiveAsync, count => count < withIdle, TimeSpan.FromSeconds(10));
        Assert.True(before < withIdle, $"the idle key did not deactivate ({withIdle} → {before} key activations)");

        var report = await shared.Grains.GetGrain<IConservationAuditGrain>(0).RunAsync();

        // Every registered key was read, the idle one (and any other out of memory) activated for
        // it; afterwards only the keys in memory before remain, the busy one among them.
        Assert.True(report.Balanced, string.Join(", ", report.Differences.Select(l => $"{l.Type}={l.Difference}")));
        var after = await Eventually.UntilAsync(KeysActiveAsync, count => count <= before, TimeSpan.FromSeconds(10));
        Assert.True(after <= before, $"the audit left keys in memory: {before} key activations before it, {after} after");
        Assert.Equal(before, after);

        // Read again by its next user, the holder comes back with its units.
        Assert.Equal(2, (await idle.GetHoldingAsync()).Units["PBX-Port8"]);
    }

    /// <summary>Activation key grains in memory in the whole cluster.</summary>
    private async Task<int> KeysActiveAsync()
    {
        var statistics = await shared.Cluster.Client.GetGrain<IManagementGrain>(0).GetSimpleGrainStatistics();
        var type = typeof(ActivationKeyGrain).FullName!;
        return statistics.Where(s => s.GrainType == type || s.GrainType.StartsWith(type + ",", StringComparison.Ordinal)).Sum(s => s.ActivationCount);
    }
}

/// <summary>One silo on a SQLite database of its own (a fixture's data directory is per class: two may run at once).</summary>
public sealed class AuditSqliteCluster() : ClusterFixture(1, new StorageSettings { Provider = StorageProvider.Sqlite, DataDirectory = Data })
{
    private static readonly string Data = Path.Combine(Path.GetTempPath(), "licensing-audit-" + Guid.NewGuid().ToString("N"));
}
