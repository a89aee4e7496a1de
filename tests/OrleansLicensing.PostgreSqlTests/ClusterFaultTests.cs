using System.Globalization;
using System.Text.Json.Nodes;

namespace OrleansLicensing.PostgreSqlTests;

/// <summary>
/// SPEC §6 faults on real processes: 3 silo processes and 2 gateway processes on PostgreSQL
/// under a mixed load of redeems, cross-project binds and device polls. The measured times are
/// written to the test output (docs/operations.md, "Failure detection (measured)").
/// </summary>
public sealed class ClusterFaultTests(PostgresServer postgres)
{
    private const int Workers = 6;
    private const int Pollers = 2;

    /// <summary>The client's retry budget for a 503: 40 answers 250 ms apart, about 10 s plus the answers themselves.</summary>
    private const int RetryingClient = 40;

    /// <summary>Failure detection as documented in docs/operations.md: a request started this long after a kill succeeds.</summary>
    private const int DetectionBound = 10;

    /// <summary>The gateway's default <c>Orleans:ResponseTimeoutSeconds</c>.</summary>
    private const int ResponseTimeout = 10;

    /// <remarks>
    /// Until 2026-11-24 this test was Explicit: in some runs unit moves kept failing 18–20 s after
    /// the kill. The printed warnings showed why — a transaction manager whose participant died
    /// held its project's commit queue for Orleans' 20 s <c>PrepareTimeout</c>, and a search index
    /// rebuilding behind those locked projects held the ledger workers that reported to it. Both
    /// are bounded now (5 s, D78; <c>History:ReportWait</c> 2 s, D79).
    /// </remarks>
    [Fact]
    public async Task Killing_one_of_three_silos_under_load_loses_no_success_and_leaves_no_partial_failure()
    {
        await using var cluster = await LocalCluster.StartAsync(await postgres.CreateDatabaseAsync(), silos: 3, gateways: 2);
        var load = new MixedLoad(cluster.GatewayUrls);
        await load.SeedAsync();

        // Single attempts: every answer counts, so failures are what the kill caused.
        using var stop = new CancellationTokenSource();
        var running = load.RunAsync(Workers, Pollers, attempts: 1, stop.Token);
        await Task.Delay(TimeSpan.FromSeconds(4), TestContext.Current.CancellationToken);
        var killedAt = load.Now;
        await cluster.KillSiloAsync(2);
        await Task.Delay(TimeSpan.FromSeconds(ResponseTimeout + 8), TestContext.Current.CancellationToken);
        await stop.CancelAsync();
        await running;

        var afterKill = load.Answers.Where(a => a.EndedAt >= killedAt).ToArray();
        var failures = afterKill.Where(a => !a.Succeeded).ToArray();
        var lastFailureEnded = failures.Length == 0 ? 0 : failures.Max(a => a.EndedAt) - killedAt;
        var lastFailureStarted = failures.Length == 0 ? 0 : failures.Max(a => a.StartedAt) - killedAt;
        Log($"silo kill: answers before {MixedLoad.Describe(load.Answers.Where(a => a.EndedAt < killedAt))}");
        Log($"silo kill: answers after {MixedLoad.Describe(afterKill)}");
        foreach (var failure in failures.OrderBy(a => a.StartedAt).Take(30))
        {
            Log($"silo kill: failed {failure.Kind} via {failure.Gateway}: {failure.Status} {failure.Code} started {Seconds(failure.StartedAt - killedAt)} s after the kill, ended {Seconds(failure.EndedAt - killedAt)} s");
        }

        foreach (var line in cluster.WarningSummary().Where(l => !l.Contains("MembershipService", StringComparison.Ordinal)).Take(40))
        {
            Log($"silo kill: warnings {line}");
        }

        foreach (var line in cluster.MembershipLines().Where(l => !l.Contains("\"LogLevel\":\"Information\",\"Category\":\"Orleans.Runtime.MembershipService.MembershipAgent", StringComparison.Ordinal)).TakeLast(30))
        {
            Log($"silo kill: membership {line}");
        }

        Log($"silo kill: every request started later than {Seconds(lastFailureStarted)} s after the kill succeeded; the last failed answer ended {Seconds(lastFailureEnded)} s after it; slowest answer {Seconds(load.Answers.Max(a => a.Seconds))} s");

        // A failure is a clean 503, never a 500; no request waits past the gateway's response
        // timeout (10 s) plus margin; and requests stop failing once the cluster has noticed the
        // death: the documented detection bound is 10 s (probes 3 × 2 s, an indirect probe, the
        // vote; measured 3 s), after which every request, polls of the dead silo's devices
        // included, succeeds.
        Assert.All(failures, AssertCleanFailure);
        Assert.True(load.Answers.Max(a => a.Seconds) < ResponseTimeout + 5, "an answer took longer than the gateway's response timeout plus margin");
        Assert.True(lastFailureStarted < DetectionBound, $"requests started {lastFailureStarted:F1} s after the kill still failed");
        Assert.Contains(afterKill, a => a.Kind == "bind" && a.Succeeded && a.StartedAt > killedAt + lastFailureStarted);

        await AssertSettledAsync(load);

        // Every device answers again through both gateways, including those that lived on the dead silo.
        foreach (var gateway in cluster.GatewayUrls)
        {
            foreach (var device in load.DeviceList)
            {
                Assert.Equal(200, (await load.PollAsync(gateway, device, record: false)).Status);
            }
        }
    }

    [Fact]
    public async Task Stopping_PostgreSQL_for_ten_seconds_answers_only_clean_503s_and_recovers_without_a_restart()
    {
        await using var cluster = await LocalCluster.StartAsync(await postgres.CreateDatabaseAsync(), silos: 3, gateways: 2);
        var load = new MixedLoad(cluster.GatewayUrls);
        await load.SeedAsync();

        using var stop = new CancellationTokenSource();
        var running = load.RunAsync(Workers, Pollers, attempts: 1, stop.Token);
        await Task.Delay(TimeSpan.FromSeconds(4), TestContext.Current.CancellationToken);
        var stoppedAt = load.Now;
        await postgres.PauseAsync();
        int[] whileDown;
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(4), TestContext.Current.CancellationToken);
            whileDown = await cluster.SiloReadinessAsync();
            await Task.Delay(TimeSpan.FromSeconds(6), TestContext.Current.CancellationToken);
        }
        finally
        {
            await postgres.ResumeAsync();
        }

        var resumedAt = load.Now;
        double readyAt;
        while (true)
        {
            var readiness = await cluster.SiloReadinessAsync();
            if (readiness.All(s => s == 200))
            {
                readyAt = load.Now;
                break;
            }

            Assert.True(load.Now - resumedAt < 30, "silos not ready 30 s after the database returned: " + string.Join(",", readiness));
            await Task.Delay(200, TestContext.Current.CancellationToken);
        }

        // A request caught in the outage ends by the gateway's response timeout; the load goes on past that.
        await Task.Delay(TimeSpan.FromSeconds(ResponseTimeout + 4), TestContext.Current.CancellationToken);
        await stop.CancelAsync();
        await running;

        var failures = load.Answers.Where(a => !a.Succeeded).ToArray();
        var firstMove = load.Answers.Where(a => a.Kind != "poll" && a.Succeeded && a.StartedAt >= resumedAt).Select(a => a.EndedAt - resumedAt).DefaultIfEmpty(double.NaN).Min();
        var lastFailure = failures.Length == 0 ? resumedAt : failures.Max(a => a.EndedAt);
        Log($"database stop: answers while down {MixedLoad.Describe(load.Answers.Where(a => a.StartedAt >= stoppedAt && a.StartedAt < resumedAt))}");
        Log($"database stop: answers after it returned {MixedLoad.Describe(load.Answers.Where(a => a.StartedAt >= resumedAt))}");
        Log($"database stop: silo /readyz while down {string.Join(",", whileDown)}; all ready {(readyAt - resumedAt).ToString("F1", CultureInfo.InvariantCulture)} s after the restart; last failure ended {(lastFailure - resumedAt).ToString("F1", CultureInfo.InvariantCulture)} s after it; first unit move started after it succeeded {Seconds(firstMove)} s after it; slowest answer {load.Answers.Max(a => a.Seconds).ToString("F2", CultureInfo.InvariantCulture)} s, slowest failure {(failures.Length == 0 ? 0 : failures.Max(a => a.Seconds)).ToString("F2", CultureInfo.InvariantCulture)} s");

        // While it is down: only clean 503s, readiness red, and nothing waits past the
        // gateway's response timeout (10 s) plus a generous margin.
        Assert.NotEmpty(failures);
        Assert.All(failures, AssertCleanFailure);
        Assert.All(whileDown, status => Assert.Equal(503, status));
        Assert.True(load.Answers.Max(a => a.Seconds) < ResponseTimeout + 5, "an answer took longer than the gateway's response timeout plus margin");

        // Once the database is back, every request started after the response timeout (when the
        // last request caught in the outage has ended) succeeds; nothing was restarted.
        Assert.DoesNotContain(load.Answers, a => a.StartedAt >= resumedAt + ResponseTimeout && !a.Succeeded);
        Assert.Contains(load.Answers, a => a.StartedAt >= resumedAt + ResponseTimeout && a.Kind == "bind" && a.Succeeded);
        await AssertSettledAsync(load);
    }

    [Fact]
    public async Task A_rolling_restart_of_the_three_silos_under_load_fails_no_operation_of_a_retrying_client()
    {
        await using var cluster = await LocalCluster.StartAsync(await postgres.CreateDatabaseAsync(), silos: 3, gateways: 2);
        var load = new MixedLoad(cluster.GatewayUrls);
        await load.SeedAsync();

        using var stop = new CancellationTokenSource();
        var running = load.RunAsync(Workers, Pollers, attempts: RetryingClient, stop.Token);
        await Task.Delay(TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken);
        var restartedAt = load.Now;
        var steps = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            // As the Kubernetes Deployment rolls (maxSurge 1, maxUnavailable 0): the replacement
            // starts while the old silo stops gracefully — it leaves the membership, hands its
            // grains over and exits 0.
            var began = load.Now;
            var replacement = cluster.StartSiloAsync(3 + i);
            Assert.Equal(0, await cluster.StopSiloGracefullyAsync(i));
            var stopped = load.Now;
            await replacement;
            steps.Add($"silo {i}: stopped in {Seconds(stopped - began)} s, its replacement ready in {Seconds(load.Now - began)} s");
        }

        var doneAt = load.Now;
        await Task.Delay(TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken);
        await stop.CancelAsync();
        await running;

        var retried = load.Operations.Where(o => o.Attempts > 1).ToArray();
        Log($"rolling restart: {(doneAt - restartedAt).ToString("F1", CultureInfo.InvariantCulture)} s for 3 silos; answers {MixedLoad.Describe(load.Answers)}");
        Log($"rolling restart: {string.Join("; ", steps)}");
        Log($"rolling restart: {load.Operations.Count} operations and polls, {retried.Length} needed a retry (at most {(retried.Length == 0 ? 1 : retried.Max(o => o.Attempts))} answers); slowest answer {Seconds(load.Answers.Max(a => a.Seconds))} s, slowest failed answer {Seconds(load.Answers.Where(a => !a.Succeeded).Select(a => a.Seconds).DefaultIfEmpty(0).Max())} s");

        foreach (var line in cluster.ErrorLines().Take(10))
        {
            Log("node error: " + line[..Math.Min(line.Length, 3000)]);
        }

        Assert.All(load.Operations, o => Assert.True(o.Succeeded, $"{o.Kind} {o.Path} failed after {o.Attempts} answers"));
        Assert.All(load.Answers.Where(a => !a.Succeeded), AssertCleanFailure);
        await AssertSettledAsync(load);
    }

    /// <summary>
    /// Exactly-once across the fault. First, as left by the load: every unit that left the source
    /// projects is on a device (nothing half-applied), every success is counted and every failure
    /// applied whole or not at all, and the audit balances. Then the client settles each failed
    /// operation by repeating it with its Idempotency-Key: afterwards the units equal the
    /// operations exactly.
    /// </summary>
    private static async Task AssertSettledAsync(MixedLoad load)
    {
        var binds = load.Operations.Where(o => o.Kind == "bind").ToArray();
        Assert.Contains(load.Operations, o => o.Kind == "poll" && o.Succeeded);
        var redeems = load.Operations.Where(o => o.Kind == "redeem").ToArray();
        Assert.Contains(binds, o => o.Succeeded);
        Assert.Contains(redeems, o => o.Succeeded);

        var (onDevices, inSources, inTarget) = await load.CountAsync();
        Assert.Equal(MixedLoad.FundedUnits - inSources, onDevices);
        Assert.InRange(onDevices, binds.Count(o => o.Succeeded), binds.Length);
        Assert.InRange(inTarget, redeems.Count(o => o.Succeeded), redeems.Length);
        await AssertAuditBalancedAsync(load);

        var unsettled = new System.Collections.Concurrent.ConcurrentBag<MixedLoad.Operation>();
        await Parallel.ForEachAsync(load.Operations.Where(o => !o.Succeeded && o.Kind != "poll"), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (failed, _) =>
        {
            if (!await load.SettleAsync(failed))
            {
                unsettled.Add(failed);
            }
        });
        Assert.True(unsettled.IsEmpty, "not settled with their Idempotency-Key: " + string.Join(", ", unsettled.Select(o => $"{o.Kind} {o.Path}")));

        (onDevices, inSources, inTarget) = await load.CountAsync();
        Assert.Equal(binds.Length, onDevices);
        Assert.Equal(MixedLoad.FundedUnits - inSources, onDevices);
        Assert.Equal(redeems.Length, inTarget);
        await AssertAuditBalancedAsync(load);
        Log($"settled: {binds.Length} binds ({binds.Count(o => !o.Succeeded)} failed first), {redeems.Length} redeems ({redeems.Count(o => !o.Succeeded)} failed first); audit balanced");
    }

    /// <summary>The audit may report transactions still settling for a few seconds; it must end balanced.</summary>
    private static async Task AssertAuditBalancedAsync(MixedLoad load)
    {
        JsonNode audit = new JsonObject();
        for (var attempt = 0; attempt < 30; attempt++)
        {
            audit = await load.AuditAsync();
            if (audit["balanced"]?.GetValue<bool>() == true)
            {
                return;
            }

            await Task.Delay(1000);
        }

        Assert.Fail("the audit did not balance: " + audit.ToJsonString());
    }

    /// <summary>
    /// A clean failure: 503 for a unit move with the retryable code; a poll's 503 (a device polls
    /// again anyway). Never a 500, a 4xx or a dropped connection.
    /// </summary>
    private static void AssertCleanFailure(Answer failure) =>
        Assert.True(failure.Status == 503 && (failure.Kind == "poll" || failure.Code is "StorageUnavailable" or "TransientConflict"), failure.ToString());

    private static string Seconds(double value) => value.ToString("F1", CultureInfo.InvariantCulture);

    private static void Log(string line)
    {
        TestContext.Current.TestOutputHelper?.WriteLine(line);
        Console.WriteLine(line);
    }
}
