using System.Globalization;
using System.Net;
using System.Text;

namespace OrleansLicensing.LoadTests;

/// <summary>
/// Issue 14, license operations from outside: the Release node as its own process with its
/// production configuration (SQLite, full durability), cross-project binds of one unit by closed-
/// loop clients, the CPU the node's process used per completed operation (from <c>/proc</c>), its
/// grain-storage writes and SQLite commits per operation (from its <c>/metrics</c>), and the audit
/// after every round. With <c>--baseline-root</c> (a checkout of an earlier commit whose Release
/// node is built) each round measures that node too, right after, on the same machine: the ratio
/// of the two is what the issue's "half the CPU per operation" compares.
/// </summary>
public static class LicenseOpsBenchmark
{
    public const string Heading = "## License operations on one SQLite node, measured from outside (issue 14)";

    public static async Task<string> RunAsync(BenchmarkOptions options, string root)
    {
        var seconds = Math.Max(options.MinimumSeconds, options.Seconds);
        var rounds = Math.Max(1, Math.Min(options.Rounds, 5));
        var targets = new List<(string Name, string Root)> { ("this commit", root) };
        if (options.BaselineRoot is { } baseline)
        {
            targets.Add(($"baseline {BenchmarkNode.Commit(baseline)}", baseline));
        }

        var rows = new List<Row>();
        for (var round = 1; round <= rounds; round++)
        {
            foreach (var (name, targetRoot) in targets)
            {
                var row = await MeasureAsync(options, name, targetRoot, round, seconds);
                rows.Add(row);
                Console.WriteLine($"{name} round {round}: {row.PerSecond:F0} ops/s, CPU {row.CpuMsPerOperation:F2} ms/op, {row.WritesPerOperation:F1} writes/op, {row.CommitsPerOperation:F2} commits/op, p99 {row.P99:F1} ms, audit {(row.Balanced ? "balanced" : "NOT balanced")}");
            }
        }

        // Any answer but 200 (warm-up included) and any unbalanced audit: the CI smoke wants none.
        Console.WriteLine($"license-ops errors: {rows.Sum(r => r.Errors + (r.Balanced ? 0 : 1))}");
        return Report(options, seconds, rows, targets.Select(t => t.Name).ToList(), BenchmarkNode.Commit(root));
    }

    private static async Task<Row> MeasureAsync(BenchmarkOptions options, string name, string root, int round, int seconds)
    {
        var clients = options.Clients;
        await using var node = await ExternalNode.StartAsync(root, configuration: options.NodeConfiguration);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { BaseAddress = new Uri(node.Url), Timeout = TimeSpan.FromSeconds(120) };
        var token = await BenchmarkNode.RegisterUserAsync(http);
        var companies = await CurveBenchmark.SeedAsync(http, token, options.Companies, options.DevicesPerCompany, 0x600000);
        var warmup = await CurveBenchmark.RunRoundAsync([http], token, companies, clients, TimeSpan.FromSeconds(options.WarmupSeconds), poll: false);

        var writesBefore = await ExternalNode.ScrapeAsync(http, "licensing_storage_duration_milliseconds_count", "operation=\"write\"");
        var commitsBefore = await ExternalNode.ScrapeAsync(http, "licensing_storage_commits_total", string.Empty);
        var cpuBefore = ProcessCpu.Seconds([node.ProcessId]);
        var result = await CurveBenchmark.RunRoundAsync([http], token, companies, clients, TimeSpan.FromSeconds(seconds), poll: false);
        var cpu = ProcessCpu.Seconds([node.ProcessId]) - cpuBefore;
        var writes = await ExternalNode.ScrapeAsync(http, "licensing_storage_duration_milliseconds_count", "operation=\"write\"") - writesBefore;
        var commits = await ExternalNode.ScrapeAsync(http, "licensing_storage_commits_total", string.Empty) - commitsBefore;
        var operations = Math.Max(1, result.Statuses.GetValueOrDefault(200));
        var audit = await BenchmarkNode.Json(await BenchmarkNode.Expect(BenchmarkNode.Send(http, HttpMethod.Get, "/api/v1/vendor/audit", BenchmarkNode.VendorKey, null), HttpStatusCode.OK));
        return new Row(name, round, result.PerSecond, cpu * 1000 / operations, cpu / seconds, writes / operations, commits / operations,
            CurveBenchmark.Ms(result.Latency, 50), CurveBenchmark.Ms(result.Latency, 99), CurveBenchmark.Statuses(result), audit["balanced"]!.GetValue<bool>(), QueryLatencies.LoadAverage(),
            Errors: warmup.Statuses.Concat(result.Statuses).Where(s => s.Key != 200).Sum(s => s.Value));
    }

    private static string Report(BenchmarkOptions options, int seconds, List<Row> rows, List<string> targets, string commit)
    {
        var text = new StringBuilder();
        text.AppendLine(Heading);
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Command: `dotnet build -c Release Silo && dotnet run -c Release --project LoadTests -- --only license-ops --seconds {seconds} --rounds {options.Rounds}{(options.BaselineRoot is null ? string.Empty : " --baseline-root <checkout of the baseline commit, its Release node built>")}` (commit {commit}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores shared with the load generator). Each round starts the {options.NodeConfiguration} node as its own process with its production configuration (SQLite, `Storage:SqliteSynchronous` = `Full`) on a fresh data directory, seeds {options.Companies} companies × {options.DevicesPerCompany} devices, warms up {options.WarmupSeconds} s, then {options.Clients} closed-loop HTTP clients bind 1 PBX-Port8 to a device whose project holds none, drawn from another project of its company (`fromProjects`: one transaction over the device and that project) for {seconds} s. CPU is the node process's user + system time over the round from `/proc`; writes and commits per operation from the node's `/metrics` (`licensing_storage_duration_milliseconds_count{{operation=\"write\"}}`, `licensing_storage_commits_total`); the audit is read after the round.");
        text.AppendLine();
        text.AppendLine("| node | round | ops/s | node CPU per operation | node CPU (cores) | storage writes per op | SQLite commits per op | p50 | p99 | answers | audit | load average |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in rows)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {r.Target} | {r.Round} | {r.PerSecond:F0} | {r.CpuMsPerOperation:F2} ms | {r.Cores:F2} | {r.WritesPerOperation:F1} | {(r.CommitsPerOperation > 0 ? r.CommitsPerOperation.ToString("F2", CultureInfo.InvariantCulture) : "– (no such counter)")} | {r.P50:F1} ms | {r.P99:F1} ms | {r.Answers} | {(r.Balanced ? "balanced" : "**NOT balanced**")} | {r.Load} |");
        }

        text.AppendLine();
        foreach (var target in targets)
        {
            var mine = rows.Where(r => r.Target == target).ToList();
            text.AppendLine(CultureInfo.InvariantCulture, $"- {target}: median **{BenchmarkNode.Median(mine.Select(r => r.PerSecond)):F0} operations/s**, median node CPU **{BenchmarkNode.Median(mine.Select(r => r.CpuMsPerOperation)):F2} ms per operation**.");
        }

        if (targets.Count == 2)
        {
            var ratios = rows.Where(r => r.Target == targets[0]).Zip(rows.Where(r => r.Target == targets[1]), (a, b) => a.CpuMsPerOperation / b.CpuMsPerOperation).ToList();
            text.AppendLine(CultureInfo.InvariantCulture, $"- CPU per operation, this commit against the baseline, median of the rounds' ratios: **{BenchmarkNode.Median(ratios):F2}×** (rounds: {string.Join(", ", ratios.Select(x => x.ToString("F2", CultureInfo.InvariantCulture)))}).");
        }

        return text.ToString();
    }

    private sealed record Row(string Target, int Round, double PerSecond, double CpuMsPerOperation, double Cores, double WritesPerOperation, double CommitsPerOperation, double P50, double P99, string Answers, bool Balanced, string Load, int Errors);
}
