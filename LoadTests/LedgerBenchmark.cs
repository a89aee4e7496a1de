using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using HdrHistogram;

namespace OrleansLicensing.LoadTests;

/// <summary>
/// SPEC §6: license operations with cross-project debits, at least 300 per second on one node
/// with SQLite and no conservation error. Each operation binds one unit to a device whose own
/// project holds none, so the ledger draws it from the company's other projects in the order
/// named (R-P6) — one transaction over the device and the debited projects, through HTTP.
/// </summary>
public static class LedgerBenchmark
{
    private const int Companies = 8;
    private const int DevicesPerCompany = 100;
    private const int Concurrency = 16;
    private const string LicenseType = "PBX-Port8";

    /// <summary>Runs the load with SQLite's default full durability, then with synchronous NORMAL for comparison.</summary>
    public static async Task<string> RunAsync(BenchmarkOptions options)
    {
        var full = await RunAsync(options, "Full");
        var normal = await RunAsync(options, "Normal");
        var text = new StringBuilder();
        text.AppendLine("## License operations with cross-project debits (SPEC §6, R-P6, R-C1)");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Same command and machine as above. Setup: single node on SQLite (a fresh data directory), {Companies} companies, each with {DevicesPerCompany} IP6000 devices in a project holding no units and two other projects holding {LicenseType}; every operation is `POST /api/v1/companies/{{cid}}/devices/{{mac}}/licenses` binding 1 {LicenseType} with `fromProjects` naming the two others, so each one debits another project in the same transaction as the device write. {Concurrency} concurrent HTTP clients, {options.Seconds} s per round (the rate counts successes inside the window), after a 3 s warm-up.");
        text.AppendLine();
        text.Append(full);
        text.AppendLine();
        text.Append(normal);
        return text.ToString();
    }

    private static async Task<string> RunAsync(BenchmarkOptions options, string synchronous)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "orleans-licensing-bench", Guid.NewGuid().ToString("N"));
        var node = await BenchmarkNode.StartAsync("Sqlite", dataDirectory, new Dictionary<string, string?> { ["Storage:SqliteSynchronous"] = synchronous });
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(node.Urls.Single()), Timeout = TimeSpan.FromSeconds(60) };
            Console.WriteLine($"seeding {Companies} companies x {DevicesPerCompany} devices on SQLite in {dataDirectory} ...");
            var token = await BenchmarkNode.RegisterUserAsync(http);
            var companies = new List<Company>();
            const int Funded = 4000;
            for (var c = 0; c < Companies; c++)
            {
                var (companyId, home) = await BenchmarkNode.CreateCompanyAsync(http, token, $"Load {c}");
                var second = await BenchmarkNode.CreateProjectAsync(http, token, companyId, "Second");
                var third = await BenchmarkNode.CreateProjectAsync(http, token, companyId, "Third");
                await BenchmarkNode.FundAsync(http, token, companyId, second, LicenseType, Funded);
                await BenchmarkNode.FundAsync(http, token, companyId, third, LicenseType, Funded);
                var devices = await BenchmarkNode.AddDevicesAsync(http, token, companyId, home, 0x200000 + (c * DevicesPerCompany), DevicesPerCompany);
                companies.Add(new Company(companyId, [second, third], devices.Select(d => d.Mac).ToArray()));
            }

            // Warm-up (JIT, grain activations, SQLite pages), not counted.
            var warmup = await RunRoundAsync(http, token, companies, TimeSpan.FromSeconds(3));

            var rounds = new List<Round>();
            for (var round = 1; round <= 3; round++)
            {
                var result = await RunRoundAsync(http, token, companies, TimeSpan.FromSeconds(options.Seconds));
                Console.WriteLine($"ledger ({synchronous}) round {round}: {result.PerSecond:F0} ops/s, p99 {result.PercentileMs(99):F1} ms, {string.Join(", ", result.Statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}"))}");
                rounds.Add(result);
            }

            // Conservation and bookkeeping after the load: the audit balances and the other
            // projects lost exactly the units that successful operations bound.
            var audit = await BenchmarkNode.Json(await BenchmarkNode.Expect(BenchmarkNode.Send(http, HttpMethod.Get, "/api/v1/vendor/audit", BenchmarkNode.VendorKey, null), HttpStatusCode.OK));
            var balanced = audit["balanced"]!.GetValue<bool>();
            long left = 0;
            foreach (var company in companies)
            {
                foreach (var project in company.Sources)
                {
                    var balance = await BenchmarkNode.Json(await BenchmarkNode.Expect(BenchmarkNode.Send(http, HttpMethod.Get, $"/api/v1/companies/{company.Id}/projects/{project}/balance", token, null), HttpStatusCode.OK));
                    left += balance["licenses"]?[LicenseType]?.GetValue<int>() ?? 0;
                }
            }

            var succeeded = rounds.Sum(r => r.Succeeded) + warmup.Succeeded;
            var debited = ((long)Companies * 2 * Funded) - left;
            Console.WriteLine($"audit balanced: {balanced}; units debited {debited}, successful operations {succeeded}");
            return Report(synchronous, rounds, balanced, debited, succeeded);
        }
        finally
        {
            await node.StopAsync();
            await node.DisposeAsync();
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    private static async Task<Round> RunRoundAsync(HttpClient http, string token, List<Company> companies, TimeSpan duration)
    {
        var histogram = new LongHistogram(TimeSpan.TicksPerMinute, 3);
        var statuses = new ConcurrentDictionary<int, int>();
        int late = 0, inWindow = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(worker => Task.Run(async () =>
        {
            var random = new Random(worker);
            var company = companies[worker % companies.Count];
            while (clock.Elapsed < duration)
            {
                var mac = company.Devices[random.Next(company.Devices.Length)];
                var started = Stopwatch.GetTimestamp();
                using var response = await BenchmarkNode.Send(http, HttpMethod.Post, $"/api/v1/companies/{company.Id}/devices/{mac}/licenses", token,
                    new { version = "V13", licenses = new Dictionary<string, int> { [LicenseType] = 1 }, fromProjects = company.Sources });
                var elapsed = Stopwatch.GetElapsedTime(started).Ticks;
                lock (histogram)
                {
                    histogram.RecordValue(Math.Clamp(elapsed, 1, TimeSpan.TicksPerMinute - 1));
                }

                statuses.AddOrUpdate((int)response.StatusCode, 1, (_, n) => n + 1);

                // The rate counts successes inside the window, so one straggler cannot stretch the round.
                if (clock.Elapsed > duration)
                {
                    Interlocked.Increment(ref late);
                }
                else if (response.StatusCode == HttpStatusCode.OK)
                {
                    Interlocked.Increment(ref inWindow);
                }
            }
        })));
        return new Round(statuses.ToDictionary(), inWindow, late, duration.TotalSeconds, histogram);
    }

    private static string Report(string synchronous, List<Round> rounds, bool balanced, long debited, long succeeded)
    {
        var text = new StringBuilder();
        text.AppendLine(synchronous == "Full"
            ? "`Storage:SqliteSynchronous` = `Full` (the default: every commit on disk before it is acknowledged):"
            : "`Storage:SqliteSynchronous` = `" + synchronous + "` (commits reach the disk at checkpoints; see decision D19):");
        text.AppendLine();
        text.AppendLine("| round | operations/s | p50 | p99 | max | answers | of them after the window |");
        text.AppendLine("|---|---|---|---|---|---|---|");
        for (var i = 0; i < rounds.Count; i++)
        {
            var r = rounds[i];
            text.AppendLine(CultureInfo.InvariantCulture, $"| {i + 1} | {r.PerSecond:F0} | {r.PercentileMs(50):F1} ms | {r.PercentileMs(99):F1} ms | {r.Latency.GetMaxValue() / (double)TimeSpan.TicksPerMillisecond:F0} ms | {string.Join(", ", r.Statuses.OrderBy(s => s.Key).Select(s => $"{s.Key} × {s.Value}"))} | {r.Late} |");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"| **median** | **{BenchmarkNode.Median(rounds.Select(r => r.PerSecond)):F0}** (target ≥ 300) | | | | | |");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"After the load: audit {(balanced ? "balanced (zero difference for every license type)" : "NOT balanced")}; the other projects lost {debited} units and {succeeded} operations (warm-up included) succeeded{(debited == succeeded ? " — equal" : " — MISMATCH")}.");
        return text.ToString();
    }

    private sealed record Company(string Id, string[] Sources, string[] Devices);

    /// <summary>All answers by status; <paramref name="InWindow"/> successes finished inside the window, <paramref name="Late"/> answers after it.</summary>
    private sealed record Round(Dictionary<int, int> Statuses, int InWindow, int Late, double Seconds, LongHistogram Latency)
    {
        public long Succeeded => Statuses.GetValueOrDefault(200);

        public double PerSecond => InWindow / Seconds;

        public double PercentileMs(double percentile) => Latency.GetValueAtPercentile(percentile) / (double)TimeSpan.TicksPerMillisecond;
    }
}
