using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using HdrHistogram;

namespace OrleansLicensing.LoadTests;

/// <summary>
/// Issue 14, a burst of activation-key redemptions (R-K2) from outside: the node as its own process
/// (SQLite, full durability). Per round the vendor mints <c>--keys</c> fresh keys first (not timed),
/// then <c>--concurrency</c> clients redeem all of them as fast as the node answers, spread over the
/// company's projects; every tenth key is redeemed twice at the same instant into two different
/// projects (two requests on two connections), of which exactly one must win (201) and the other be
/// refused 409 <c>KeyAlreadyAssigned</c>. Reports the time to drain the burst, redeems per second,
/// latency, and reads back that every key was redeemed exactly once, into the project its winner
/// named, with the company's balance equal to the keys' units and the audit balanced.
/// </summary>
public static class RedeemBurstBenchmark
{
    public const string Heading = "## Activation-key redeem burst, measured from outside (issue 14)";

    private const string LicenseType = "PBX-Port8";
    private const int Projects = 8;
    private const int DuplicateEvery = 10;

    public static async Task<string> RunAsync(BenchmarkOptions options, string root)
    {
        var keys = options.Keys;
        var clients = options.Concurrency;
        var rounds = Math.Max(1, options.Rounds);
        await using var node = await ExternalNode.StartAsync(root, configuration: options.NodeConfiguration);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 512 }) { BaseAddress = new Uri(node.Url), Timeout = TimeSpan.FromSeconds(120) };
        var token = await BenchmarkNode.RegisterUserAsync(http);
        var (companyId, home) = await BenchmarkNode.CreateCompanyAsync(http, token, "Redeem burst");
        var projects = new List<string> { home };
        for (var p = 1; p < Projects; p++)
        {
            projects.Add(await BenchmarkNode.CreateProjectAsync(http, token, companyId, $"Branch {p}"));
        }

        var rows = new List<Row>();
        var winners = new Dictionary<string, (string Project, int Units)>(StringComparer.Ordinal);
        for (var round = 1; round <= rounds; round++)
        {
            // Minting is the vendor's job beforehand; only the redemptions are timed.
            var minted = new (string Code, int Units)[keys];
            await Parallel.ForEachAsync(Enumerable.Range(0, keys), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
            {
                var units = 1 + (i % 5);
                minted[i] = (await BenchmarkNode.MintKeyAsync(http, LicenseType, units), units);
            });

            var cpuBefore = ProcessCpu.Seconds([node.ProcessId]);
            var row = await BurstAsync(http, token, companyId, projects, minted, clients, round);
            row = row with { CpuMsPerRedeem = (ProcessCpu.Seconds([node.ProcessId]) - cpuBefore) * 1000 / Math.Max(1, row.Winners.Count) };
            var unitsOf = minted.ToDictionary(m => m.Code, m => m.Units, StringComparer.Ordinal);
            foreach (var (code, project) in row.Winners)
            {
                winners.Add(code, (project, unitsOf[code]));
            }

            rows.Add(row);
            Console.WriteLine($"redeem-burst round {round}: {keys} keys ({row.Pairs} redeemed twice at once) by {clients} clients drained in {row.Drain.TotalSeconds:F2} s, {row.PerSecond:F0} redeems/s, p50 {CurveBenchmark.Ms(row.Latency, 50):F1} ms, p99 {CurveBenchmark.Ms(row.Latency, 99):F1} ms, node CPU {row.CpuMsPerRedeem:F2} ms per redeem; pairs with one winner and one KeyAlreadyAssigned: {row.PairsResolved}/{row.Pairs}; answers {row.Answers}; errors {row.Errors.Count}");
            foreach (var error in row.Errors.Take(5))
            {
                Console.WriteLine($"  {error}");
            }
        }

        var readBack = await ReadBackAsync(http, token, companyId, winners);
        var audit = await BenchmarkNode.Json(await BenchmarkNode.Expect(BenchmarkNode.Send(http, HttpMethod.Get, "/api/v1/vendor/audit", BenchmarkNode.VendorKey, null), HttpStatusCode.OK));
        var balanced = audit["balanced"]!.GetValue<bool>();
        var errors = rows.Sum(r => r.Errors.Count) + readBack.Count + (balanced ? 0 : 1);
        Console.WriteLine($"read back: {(readBack.Count == 0 ? "every key redeemed exactly once, balances match" : string.Join("; ", readBack.Take(5)))}; audit {(balanced ? "balanced" : "NOT balanced")}");
        Console.WriteLine($"redeem-burst errors: {errors}");
        return Report(options, rows, readBack, balanced, errors);
    }

    private static async Task<Row> BurstAsync(HttpClient http, string token, string companyId, List<string> projects, (string Code, int Units)[] minted, int clients, int round)
    {
        var latency = new LongHistogram(TimeSpan.TicksPerMinute, 3);
        var statuses = new ConcurrentDictionary<string, int>();
        var errors = new ConcurrentBag<string>();
        var winners = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        var pairsResolved = 0;
        var next = -1;

        async Task<(HttpStatusCode Status, string? Code)> RedeemAsync(string key, string project)
        {
            var started = Stopwatch.GetTimestamp();
            using var response = await BenchmarkNode.Send(http, HttpMethod.Post, $"/api/v1/companies/{companyId}/projects/{project}/activations", token, new { key });
            var code = response.IsSuccessStatusCode ? null : await BenchmarkNode.ProblemCodeAsync(response);
            lock (latency)
            {
                latency.RecordValue(Math.Clamp(Stopwatch.GetElapsedTime(started).Ticks, 1, TimeSpan.TicksPerMinute - 1));
            }

            statuses.AddOrUpdate(code is null ? ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture) : $"{(int)response.StatusCode} {code}", 1, (_, n) => n + 1);
            return (response.StatusCode, code);
        }

        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            for (var i = Interlocked.Increment(ref next); i < minted.Length; i = Interlocked.Increment(ref next))
            {
                var key = minted[i].Code;
                var project = projects[i % projects.Count];
                if (i % DuplicateEvery != 0)
                {
                    var (status, code) = await RedeemAsync(key, project);
                    if (status == HttpStatusCode.Created)
                    {
                        winners[key] = project;
                    }
                    else
                    {
                        errors.Add($"{key}: {(int)status} {code}");
                    }

                    continue;
                }

                // Two clients redeem the same key at the same instant into two projects.
                var other = projects[(i + 1) % projects.Count];
                var both = await Task.WhenAll(RedeemAsync(key, project), RedeemAsync(key, other));
                var won = both.Select((answer, n) => (answer, project: n == 0 ? project : other)).Where(b => b.answer.Status == HttpStatusCode.Created).ToList();
                var refused = both.Count(b => b.Status == HttpStatusCode.Conflict && b.Code == "KeyAlreadyAssigned");
                if (won.Count == 1 && refused == 1)
                {
                    winners[key] = won[0].project;
                    Interlocked.Increment(ref pairsResolved);
                }
                else
                {
                    errors.Add($"{key} redeemed twice at once: {string.Join(" and ", both.Select(b => $"{(int)b.Status} {b.Code}"))}");
                }
            }
        })));
        clock.Stop();
        var pairs = (minted.Length + DuplicateEvery - 1) / DuplicateEvery;
        return new Row(round, minted.Length, pairs, clients, clock.Elapsed, winners.Count / clock.Elapsed.TotalSeconds, latency, pairsResolved,
            string.Join(", ", statuses.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key} × {s.Value}")), [.. errors], winners.ToDictionary(), QueryLatencies.LoadAverage());
    }

    /// <summary>Every key the tool saw win is listed once, in its winner's project, and nothing else; the company's balance is the keys' units.</summary>
    private static async Task<List<string>> ReadBackAsync(HttpClient http, string token, string companyId, Dictionary<string, (string Project, int Units)> winners)
    {
        var problems = new List<string>();
        var listed = (await BenchmarkNode.Json(await BenchmarkNode.Expect(BenchmarkNode.Send(http, HttpMethod.Get, $"/api/v1/companies/{companyId}/activations", token, null), HttpStatusCode.OK))).AsArray();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in listed)
        {
            var key = entry!["key"]!.GetValue<string>();
            seen[key] = seen.GetValueOrDefault(key) + 1;
            if (!winners.TryGetValue(key, out var winner))
            {
                problems.Add($"{key} is listed as redeemed but no client saw it win");
            }
            else if (winner.Project != entry["projectId"]!.GetValue<string>())
            {
                problems.Add($"{key} is listed in {entry["projectId"]} but was won for {winner.Project}");
            }
        }

        problems.AddRange(seen.Where(s => s.Value > 1).Select(s => $"{s.Key} is listed {s.Value} times"));
        problems.AddRange(winners.Keys.Where(k => !seen.ContainsKey(k)).Select(k => $"{k} won but is not listed"));
        var balance = await BenchmarkNode.Json(await BenchmarkNode.Expect(BenchmarkNode.Send(http, HttpMethod.Get, $"/api/v1/companies/{companyId}/balance", token, null), HttpStatusCode.OK));
        var units = balance["licenses"]?[LicenseType]?.GetValue<int>() ?? 0;
        var expected = winners.Values.Sum(w => w.Units);
        if (units != expected)
        {
            problems.Add($"the company's balance holds {units} {LicenseType}, the redeemed keys {expected}");
        }

        return problems;
    }

    private static string Report(BenchmarkOptions options, List<Row> rows, List<string> readBack, bool balanced, int errors)
    {
        var text = new StringBuilder();
        text.AppendLine(Heading);
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Command: `dotnet build -c Release Silo && dotnet run -c Release --project LoadTests -- --only redeem-burst --keys {options.Keys} --concurrency {options.Concurrency} --rounds {rows.Count}` (commit {BenchmarkNode.Commit(BenchmarkOptions.FindRoot())}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores shared with the load generator). The {options.NodeConfiguration} node as its own process with its production configuration (SQLite, full durability); one company with {Projects} projects. Per round the vendor first mints {options.Keys:N0} fresh keys of 1–5 {LicenseType} (not timed); then {options.Concurrency} clients take the keys in turn and redeem each into one of the projects (`POST …/projects/{{pid}}/activations`), as fast as the node answers. Every {DuplicateEvery}th key is sent twice at the same instant, on two connections, into two different projects: exactly one must answer 201 and the other 409 `KeyAlreadyAssigned` (R-K2). The burst is drained when the last answer arrived; redeems/s = keys redeemed / drain time; latencies are per request (duplicates included); node CPU is the node process's user + system time over the burst from `/proc`, per key redeemed (the refused duplicates' cost included).");
        text.AppendLine();
        text.AppendLine("| round | keys | clients | drained in | redeems/s | node CPU per redeem | p50 | p99 | max | duplicate pairs: one winner + one `KeyAlreadyAssigned` | answers | load average |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in rows)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {r.Round} | {r.Keys:N0} | {r.Clients} | {r.Drain.TotalSeconds:F2} s | {r.PerSecond:F0} | {r.CpuMsPerRedeem:F2} ms | {CurveBenchmark.Ms(r.Latency, 50):F1} ms | {CurveBenchmark.Ms(r.Latency, 99):F1} ms | {CurveBenchmark.Max(r.Latency):F0} ms | {r.PairsResolved} / {r.Pairs} | {r.Answers} | {r.Load} |");
        }

        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Median over the rounds: **{BenchmarkNode.Median(rows.Select(r => r.PerSecond)):F0} redeems/s**, drain {BenchmarkNode.Median(rows.Select(r => r.Drain.TotalSeconds)):F2} s for {options.Keys:N0} keys, p99 {BenchmarkNode.Median(rows.Select(r => CurveBenchmark.Ms(r.Latency, 99))):F1} ms.");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Read back after all rounds (`GET …/activations` of the company, `GET …/balance`): {(readBack.Count == 0 ? "every key redeemed exactly once, into the project its winning answer named; the company's balance equals the keys' units" : "**" + string.Join("; ", readBack.Take(5)) + "**")}. Audit: {(balanced ? "balanced" : "**NOT balanced**")}. Errors (unexpected answers, read-back differences, audit): {errors}.");
        return text.ToString();
    }

    private sealed record Row(int Round, int Keys, int Pairs, int Clients, TimeSpan Drain, double PerSecond, LongHistogram Latency, int PairsResolved, string Answers, List<string> Errors, Dictionary<string, string> Winners, string Load)
    {
        public double CpuMsPerRedeem { get; init; }
    }
}
