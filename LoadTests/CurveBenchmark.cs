using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using HdrHistogram;

namespace OrleansLicensing.LoadTests;

/// <summary>
/// Issue 15, measured from outside: the node runs as its own Release process with its production
/// configuration (SQLite, full durability) and this process only sends HTTP. Cross-project binds
/// (one unit, drawn from another project of the company, R-P6) at 1, 4, 16 and 64 concurrent
/// clients, spread over 8 companies (400 devices, 8 source projects) or concentrated on one
/// company (50 devices, one source project); per round the throughput of every 1 s window, the
/// latency, the node's lock-timeout / abort / retry counters, and during the spread rounds the
/// latency of device polls of the same devices. Afterwards the audit and the node's log.
/// </summary>
public static class CurveBenchmark
{
    private const int Companies = 8;
    private const int DevicesPerCompany = 50;
    internal const int Funded = 250_000;
    private const int Pollers = 4;
    private const string LicenseType = "PBX-Port8";
    private static readonly int[] Concurrencies = [1, 4, 16, 64];

    public static async Task<string> RunAsync(BenchmarkOptions options, string root)
    {
        var shortSeconds = Math.Max(5, options.Seconds / 4);
        await using var node = await ExternalNode.StartAsync(root);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { BaseAddress = new Uri(node.Url), Timeout = TimeSpan.FromSeconds(120) };
        var token = await BenchmarkNode.RegisterUserAsync(http);
        var companies = await SeedAsync(http, token, Companies, DevicesPerCompany, 0x300000);
        Console.WriteLine($"seeded {Companies} companies x {DevicesPerCompany} devices; 5 s warm-up with polls (not counted)");
        await RunRoundAsync([http], token, companies, 16, TimeSpan.FromSeconds(5), poll: true);

        var rows = new List<(string Scenario, int Clients, int Round, Round Result)>();
        foreach (var (scenario, load) in new[] { ("spread", companies), ("one project", companies.Take(1).ToList()) })
        {
            foreach (var clients in Concurrencies)
            {
                var rounds = clients == 16 && scenario == "spread" ? 3 : 1;
                var seconds = clients == 16 && scenario == "spread" ? options.Seconds : shortSeconds;
                for (var round = 1; round <= rounds; round++)
                {
                    var before = await CountersAsync(http);
                    var result = await RunRoundAsync([http], token, load, clients, TimeSpan.FromSeconds(seconds), poll: scenario == "spread" && clients == 16);
                    var after = await CountersAsync(http);
                    var writes = after.Writes - before.Writes;
                    result = result with
                    {
                        LockTimeouts = after.LockTimeouts - before.LockTimeouts,
                        Aborts = after.Aborts - before.Aborts,
                        Retries = after.Retries - before.Retries,
                        WritesPerOperation = writes / Math.Max(1, result.Statuses.Values.Sum()),
                        WriteMs = (after.WriteMs - before.WriteMs) / Math.Max(1, writes),
                        Load = LoadAverage(),
                    };
                    Console.WriteLine($"{scenario} {clients} clients round {round} ({seconds} s): {result.PerSecond:F0} ops/s, p99 {Ms(result.Latency, 99):F1} ms, max {Max(result.Latency):F0} ms, min 1 s window {result.MinWindow} (median {result.MedianWindow}), lock timeouts {result.LockTimeouts}, aborts {result.Aborts}, {result.WritesPerOperation:F1} storage writes/op of {result.WriteMs:F2} ms, load average {result.Load}, {Statuses(result)}"
                        + (result.Polls is { } p ? $"; polls {p.TotalCount}: p99 {Ms(p, 99):F1} ms, p99.9 {Ms(p, 99.9):F1} ms, max {Max(p):F1} ms" : string.Empty));
                    rows.Add((scenario, clients, round, result));
                }
            }
        }

        var audit = await BenchmarkNode.Json(await BenchmarkNode.Expect(BenchmarkNode.Send(http, HttpMethod.Get, "/api/v1/vendor/audit", BenchmarkNode.VendorKey, null), HttpStatusCode.OK));
        var balanced = audit["balanced"]!.GetValue<bool>();
        var broken = node.CountInLog("OrleansBrokenTransactionLockException");
        var warnings = node.CountInLog("warn:") + node.CountInLog("fail:");
        Console.WriteLine($"audit balanced: {balanced}; log lines naming OrleansBrokenTransactionLockException: {broken}; warn/fail lines: {warnings}");
        return Report(options, shortSeconds, rows, balanced, broken, warnings);
    }

    /// <summary>
    /// <paramref name="count"/> companies of the user, each with a source project holding plenty
    /// of units and <paramref name="devicesPerCompany"/> devices in its default project.
    /// </summary>
    internal static async Task<List<Company>> SeedAsync(HttpClient http, string token, int count, int devicesPerCompany, int firstSuffix)
    {
        var companies = new List<Company>();
        for (var c = 0; c < count; c++)
        {
            var (companyId, home) = await BenchmarkNode.CreateCompanyAsync(http, token, $"Curve {c}");
            var source = await BenchmarkNode.CreateProjectAsync(http, token, companyId, "Source");
            await BenchmarkNode.FundAsync(http, token, companyId, source, LicenseType, Funded);
            var devices = await BenchmarkNode.AddDevicesAsync(http, token, companyId, home, firstSuffix + (c * devicesPerCompany), devicesPerCompany);
            companies.Add(new Company(companyId, source, [.. devices], home));
        }

        return companies;
    }

    public const string Heading = "## Ledger under sustained load, measured from outside (issue 15)";

    /// <summary>The document with its curve section (from <see cref="Heading"/> to the next section) replaced by <paramref name="section"/>, or that added at the end.</summary>
    public static string ReplaceSection(string document, string section) => QueryLatencies.ReplaceSection(document, Heading, section);

    private static async Task<Counters> CountersAsync(HttpClient http) => new(
        await ExternalNode.ScrapeAsync(http, "licensing_transaction_lock_timeouts_total"),
        await ExternalNode.ScrapeAsync(http, "licensing_transaction_aborts_total"),
        await ExternalNode.ScrapeAsync(http, "licensing_transaction_retries_total"),
        await ExternalNode.ScrapeAsync(http, "licensing_storage_duration_milliseconds_count", "operation=\"write\""),
        await ExternalNode.ScrapeAsync(http, "licensing_storage_duration_milliseconds_sum", "operation=\"write\""));

    private sealed record Counters(double LockTimeouts, double Aborts, double Retries, double Writes, double WriteMs);

    /// <summary>The machine's 1-minute load average (other work shares these cores).</summary>
    private static string LoadAverage() => QueryLatencies.LoadAverage();

    /// <summary>
    /// One round of <paramref name="clients"/> closed-loop clients binding one unit each with a
    /// cross-project draw; client i (and poller i) talks to <paramref name="gateways"/>[i mod n].
    /// </summary>
    internal static async Task<Round> RunRoundAsync(IReadOnlyList<HttpClient> gateways, string token, List<Company> companies, int clients, TimeSpan duration, bool poll)
    {
        var latency = new LongHistogram(TimeSpan.TicksPerMinute, 3);
        var polls = poll ? new LongHistogram(TimeSpan.TicksPerMinute, 3) : null;
        var windows = new int[(int)Math.Ceiling(duration.TotalSeconds)];
        var statuses = new ConcurrentDictionary<int, int>();
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, clients).Select(worker => Task.Run(async () =>
        {
            var random = new Random(worker);
            var company = companies[worker % companies.Count];
            var http = gateways[worker % gateways.Count];
            while (clock.Elapsed < duration)
            {
                var (mac, _) = company.Devices[random.Next(company.Devices.Length)];
                var started = Stopwatch.GetTimestamp();
                using var response = await BenchmarkNode.Send(http, HttpMethod.Post, $"/api/v1/companies/{company.Id}/devices/{mac}/licenses", token,
                    new { version = "V13", licenses = new Dictionary<string, int> { [LicenseType] = 1 }, fromProjects = new[] { company.Source } });
                Record(latency, Stopwatch.GetElapsedTime(started).Ticks);
                statuses.AddOrUpdate((int)response.StatusCode, 1, (_, n) => n + 1);
                var second = (int)clock.Elapsed.TotalSeconds;
                if (response.StatusCode == HttpStatusCode.OK && second < windows.Length)
                {
                    Interlocked.Increment(ref windows[second]);
                }
            }
        }));
        var pollers = polls is null ? [] : Enumerable.Range(0, Pollers).Select(poller => Task.Run(async () =>
        {
            var random = new Random(1000 + poller);
            var http = gateways[poller % gateways.Count];
            while (clock.Elapsed < duration)
            {
                var company = companies[random.Next(companies.Count)];
                var (mac, secret) = company.Devices[random.Next(company.Devices.Length)];
                using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/device/license");
                request.Headers.Add("X-Device-Mac", mac);
                request.Headers.Add("X-Device-Secret", secret);
                var started = Stopwatch.GetTimestamp();
                using var response = await http.SendAsync(request);
                await response.Content.ReadAsByteArrayAsync();
                Record(polls, Stopwatch.GetElapsedTime(started).Ticks);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    throw new InvalidOperationException($"A poll answered {(int)response.StatusCode}.");
                }

                await Task.Delay(10);
            }
        }));
        await Task.WhenAll(workers.Concat(pollers));
        var sorted = windows.Order().ToArray();
        return new Round(statuses.ToDictionary(), windows.Sum() / duration.TotalSeconds, latency, sorted[0], sorted[sorted.Length / 2], windows, polls);
    }

    private static void Record(LongHistogram histogram, long ticks)
    {
        lock (histogram)
        {
            histogram.RecordValue(Math.Clamp(ticks, 1, TimeSpan.TicksPerMinute - 1));
        }
    }

    internal static double Ms(LongHistogram histogram, double percentile) => histogram.GetValueAtPercentile(percentile) / (double)TimeSpan.TicksPerMillisecond;

    internal static double Max(LongHistogram histogram) => histogram.GetMaxValue() / (double)TimeSpan.TicksPerMillisecond;

    internal static string Statuses(Round round) => string.Join(", ", round.Statuses.OrderBy(s => s.Key).Select(s => $"{s.Key} × {s.Value}"));

    private static string Report(BenchmarkOptions options, int shortSeconds, List<(string Scenario, int Clients, int Round, Round Result)> rows, bool balanced, int broken, int warnings)
    {
        var text = new StringBuilder();
        text.AppendLine(Heading);
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Command: `dotnet build -c Release Silo && dotnet run -c Release --project LoadTests -- --only curve --seconds {options.Seconds}`. The node is the Release silo binary with the API co-hosted, started as its own process (`dotnet Silo/bin/Release/net10.0/OrleansLicensing.Silo.dll --urls … --Storage:DataDirectory=<tmp> --Licensing:VendorApiKey=…`, plus free ports and a raised anonymous rate limit for the seeding) with its production configuration: SQLite at full durability. Load from the LoadTests process over HTTP/1.1 keep-alive: every operation binds 1 {LicenseType} to a device whose own project holds none, drawn from another project of its company (`fromProjects`), one transaction over the device and that project. *Spread*: {Companies} companies × {DevicesPerCompany} devices (400 devices, 8 source projects), clients assigned round-robin to companies; *one project*: all clients on one company's 50 devices and its one source project. 16 spread clients: three {options.Seconds} s rounds, with {Pollers} device pollers (10 ms pause between polls, full answers) polling the same devices; every other point: one {shortSeconds} s round. The rate counts successes; \"min 1 s\" is the slowest full second of the round against the round's median second (criterion: not below half).");
        text.AppendLine();
        text.AppendLine("| load | clients | round | ops/s | p50 | p99 | max | min 1 s / median 1 s | ≥ half? | lock timeouts | aborts (retries) | storage writes per op (mean write) | machine load average | answers |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var (scenario, clients, round, r) in rows)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {scenario} | {clients} | {round} | {r.PerSecond:F0} | {Ms(r.Latency, 50):F1} ms | {Ms(r.Latency, 99):F1} ms | {Max(r.Latency):F0} ms | {r.MinWindow} / {r.MedianWindow} | {(r.MinWindow * 2 >= r.MedianWindow ? "yes" : "**no**")} | {r.LockTimeouts:F0} | {r.Aborts:F0} ({r.Retries:F0}) | {r.WritesPerOperation:F1} ({r.WriteMs:F2} ms) | {r.Load} | {Statuses(r)} |");
        }

        var spread16 = rows.Where(r => r.Scenario == "spread" && r.Clients == 16).Select(r => r.Result).ToList();
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"16 spread clients, median of the three rounds: **{BenchmarkNode.Median(spread16.Select(r => r.PerSecond)):F0} operations/s**.");
        text.AppendLine();
        text.AppendLine("Device polls during the 16-client rounds (same node, same devices, while their licenses change):");
        text.AppendLine();
        text.AppendLine("| round | polls | p50 | p99 | p99.9 | max |");
        text.AppendLine("|---|---|---|---|---|---|");
        for (var i = 0; i < spread16.Count; i++)
        {
            var p = spread16[i].Polls!;
            text.AppendLine(CultureInfo.InvariantCulture, $"| {i + 1} | {p.TotalCount} | {Ms(p, 50):F2} ms | {Ms(p, 99):F2} ms | {Ms(p, 99.9):F2} ms | {Max(p):F2} ms |");
        }

        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"After all rounds: audit {(balanced ? "balanced" : "**NOT balanced**")}; lines of the node's log naming `OrleansBrokenTransactionLockException`: {broken}; warning or error lines: {warnings}.");
        return text.ToString();
    }

    internal sealed record Company(string Id, string Source, (string Mac, string Secret)[] Devices, string Home);

    internal sealed record Round(Dictionary<int, int> Statuses, double PerSecond, LongHistogram Latency, int MinWindow, int MedianWindow, int[] Windows, LongHistogram? Polls)
    {
        public double LockTimeouts { get; init; }

        public double Aborts { get; init; }

        public double Retries { get; init; }

        public double WritesPerOperation { get; init; }

        public double WriteMs { get; init; }

        public string Load { get; init; } = "?";
    }
}
