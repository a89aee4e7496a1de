using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace OrleansLicensing.LoadTests;

/// <summary>
/// Issue 14, the bookkeeping at N holders, from outside (the node binary as its own process,
/// SQLite, production configuration). Seeds N devices holding one lot each through the API: each
/// device's first bind registers it as a holder (one registry shard write) before its ledger
/// move; a second bind on a sample of already registered devices is the same move without the
/// registration, so the two give what registering costs. Then the node restarts on the same
/// data (no holder in memory) and the conservation audit runs as the cluster's job
/// (<c>GET /api/v1/vendor/audit?wait=0</c> → 202, then its progress route once a second until it
/// ends): time to the complete report, holders per second, the node's RSS and Orleans'
/// activation count before, during (highest seen) and after.
/// </summary>
public static class AuditBenchmark
{
    public const string Heading = "## Audit and holder registry at 100,000 holders (issue 14)";

    private const string AuditPath = "/api/v1/vendor/audit";
    private const string LicenseType = "PBX-Port8*20";
    private const int Concurrency = 16;
    private const int SecondBindSample = 5_000;

    public static async Task<string> RunAsync(BenchmarkOptions options, string root, int count)
    {
        var sample = Math.Min(count, SecondBindSample);
        string data;
        TimeSpan hardware, firstBinds, secondBinds;
        double firstLatency, secondLatency;
        var errors = 0L;
        await using (var seeded = await ExternalNode.StartAsync(root, configuration: options.NodeConfiguration))
        {
            using var http = Client(seeded.Url);
            var email = await BenchmarkNode.RegisterAccountAsync(http);
            var token = await BenchmarkNode.LoginAsync(http, email);
            var (companyId, projectId) = await BenchmarkNode.CreateCompanyAsync(http, token, "Audit");
            await BenchmarkNode.FundAsync(http, token, companyId, projectId, LicenseType, count + sample);
            var clock = Stopwatch.StartNew();
            var devices = await BenchmarkNode.AddDevicesAsync(http, token, companyId, projectId, 0x900000, count);
            hardware = clock.Elapsed;
            Console.WriteLine($"audit: {count} devices registered as hardware and in the project in {hardware.TotalSeconds:F0} s");

            (firstBinds, firstLatency) = await BindAsync(http, email, companyId, devices, () => Interlocked.Increment(ref errors));
            Console.WriteLine($"audit: first binds (holder registration + move) of {count} devices in {firstBinds.TotalSeconds:F0} s, mean {firstLatency:F2} ms");
            (secondBinds, secondLatency) = await BindAsync(http, email, companyId, devices.Take(sample).ToList(), () => Interlocked.Increment(ref errors));
            Console.WriteLine($"audit: second binds (move only) of {sample} devices in {secondBinds.TotalSeconds:F0} s, mean {secondLatency:F2} ms");
            data = Path.Combine(seeded.DataDirectory, "data");
        }

        await using var node = await ExternalNode.StartAsync(root, new Dictionary<string, string> { ["Storage:DataDirectory"] = data }, options.NodeConfiguration);
        using var client = Client(node.Url);
        var before = await ReadAsync(client, node.ProcessId);
        var audit = Stopwatch.StartNew();
        var started = await client.SendAsync(Get(AuditPath + "?wait=0"));
        if (started.StatusCode is not (HttpStatusCode.Accepted or HttpStatusCode.OK))
        {
            throw new InvalidOperationException($"GET {AuditPath}?wait=0 answered {(int)started.StatusCode}: {await started.Content.ReadAsStringAsync()}");
        }

        var peak = before;
        var samples = new List<string>();
        JsonNode progress;
        while (true)
        {
            progress = await BenchmarkNode.Json(await BenchmarkNode.Expect(client.SendAsync(Get(AuditPath + "/progress")), HttpStatusCode.OK));
            var now = await ReadAsync(client, node.ProcessId);
            peak = (Math.Max(peak.Rss, now.Rss), Math.Max(peak.Activations, now.Activations));
            if (progress["running"] is not { } running)
            {
                break;
            }

            samples.Add(string.Create(CultureInfo.InvariantCulture, $"{audit.Elapsed.TotalSeconds:F0} s: pass {running["pass"]}, {running["holdersRead"]}/{running["holdersKnown"]} holders, {now.Activations:F0} activations, RSS {now.Rss / 1e6:F0} MB"));
            Console.WriteLine("audit: " + samples[^1]);
            await Task.Delay(1000);
        }

        audit.Stop();
        var report = progress["last"] ?? throw new InvalidOperationException("the audit ended without a report");
        var holders = report["holders"]!.GetValue<int>();
        var after = await ReadAsync(client, node.ProcessId);
        Console.WriteLine($"audit: complete after {audit.Elapsed.TotalSeconds:F1} s, {holders} holders, balanced {report["balanced"]}; RSS {before.Rss / 1e6:F0} → peak {peak.Rss / 1e6:F0} → {after.Rss / 1e6:F0} MB; activations {before.Activations:F0} → peak {peak.Activations:F0} → {after.Activations:F0}; request errors {errors}");
        if (!report["balanced"]!.GetValue<bool>() || holders < count || errors > 0)
        {
            throw new InvalidOperationException($"audit over {count} devices: {holders} holders, {errors} request errors, report {report.ToJsonString()}");
        }

        var text = new StringBuilder();
        text.AppendLine(Heading);
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Command: `dotnet build -c Release Silo && dotnet run -c Release --project LoadTests -- --only audit --devices {count} --out docs/benchmarks.md` ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores shared with other work, load average at the end {QueryLatencies.LoadAverage()}). The node is the {options.NodeConfiguration} silo binary as its own process (SQLite, full durability, production configuration); requests come from the LoadTests process, {Concurrency} at a time. {count:N0} devices (IP6000) registered by the vendor and added to one project, then each bound one `{LicenseType}` lot: that first bind registers the device as a holder (its registry shard takes one write of its open chunk, ≤ 512 entries, D103) before the ledger move; a second bind on {sample:N0} of them is the same move without a registration. Request errors over the run: {errors}.");
        text.AppendLine();
        text.AppendLine("| step | holders | time | rate | mean latency |");
        text.AppendLine("|---|---|---|---|---|");
        text.AppendLine(CultureInfo.InvariantCulture, $"| vendor hardware registration and project membership (500 / 50 per request; no holder yet) | {count:N0} | {hardware.TotalSeconds:F1} s | {count / hardware.TotalSeconds:F0} devices/s | – |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| first bind of each device: **holder registration** + ledger move | {count:N0} | {firstBinds.TotalSeconds:F1} s | {count / firstBinds.TotalSeconds:F0} holders/s | {firstLatency:F2} ms |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| second bind, registered devices: ledger move only | {sample:N0} | {secondBinds.TotalSeconds:F1} s | {sample / secondBinds.TotalSeconds:F0} binds/s | {secondLatency:F2} ms |");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Registering a holder costs about **{firstLatency - secondLatency:F2} ms** of a first bind's latency here (mean first minus mean second bind, same concurrency); it writes one chunk of one of 256 shards whatever the number of holders, so the rate does not fall as the registry grows.");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"The audit: the node restarted on the seeded data (no holder in memory), then `GET /api/v1/vendor/audit?wait=0` (answered {(int)started.StatusCode}) started the cluster's audit job, and `GET /api/v1/vendor/audit/progress` was read once a second until no run was in progress. RSS is the node's resident memory (`/proc`), activations Orleans' count (`orleans_catalog_activations`); the peak is the highest of the once-a-second readings.");
        text.AppendLine();
        text.AppendLine("| audit | holders read | time to the complete report | holders/s | RSS before / peak / after | activations before / peak / after |");
        text.AppendLine("|---|---|---|---|---|---|");
        text.AppendLine(CultureInfo.InvariantCulture, $"| cold node, balanced = {report["balanced"]}, pass(es) until settled: {report["unsettled"]!.AsArray().Count switch { 0 => "settled", var n => $"{n} type(s) unsettled" }} | {holders:N0} | **{audit.Elapsed.TotalSeconds:F1} s** | **{holders / audit.Elapsed.TotalSeconds:F0}** | {before.Rss / 1e6:F0} / {peak.Rss / 1e6:F0} / {after.Rss / 1e6:F0} MB | {before.Activations:F0} / {peak.Activations:F0} / {after.Activations:F0} |");
        text.AppendLine();
        text.AppendLine("Progress as the tool read it (every 10th reading):");
        text.AppendLine();
        foreach (var line in samples.Where((_, i) => i % 10 == 0 || i == samples.Count - 1))
        {
            text.AppendLine("- " + line);
        }

        return text.ToString();
    }

    /// <summary>
    /// The report of an audit started now: 200 at once on small data; otherwise the 202 is
    /// followed by the progress route, read every 2 s until no run is in progress.
    /// </summary>
    public static async Task<JsonNode> CompleteReportAsync(HttpClient http)
    {
        using var response = await http.SendAsync(Get(AuditPath));
        if (response.StatusCode == HttpStatusCode.OK)
        {
            return await BenchmarkNode.Json(response);
        }

        await BenchmarkNode.Expect(Task.FromResult(response), HttpStatusCode.Accepted);
        while (true)
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
            var progress = await BenchmarkNode.Json(await BenchmarkNode.Expect(http.SendAsync(Get(AuditPath + "/progress")), HttpStatusCode.OK));
            if (progress["running"] is null)
            {
                return progress["last"] ?? throw new InvalidOperationException("the audit ended without a report");
            }
        }
    }

    private static HttpClient Client(string url) => new(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(120) };

    private static HttpRequestMessage Get(string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", BenchmarkNode.VendorKey);
        return request;
    }

    /// <summary>Binds one lot to each device, <see cref="Concurrency"/> at a time; the total time and the mean latency in ms.</summary>
    private static async Task<(TimeSpan Elapsed, double MeanMs)> BindAsync(HttpClient http, string email, string companyId, List<(string Mac, string Secret)> devices, Action error)
    {
        var clock = Stopwatch.StartNew();
        long ticks = 0;
        // Access tokens live 15 minutes: a long seeding signs in again for every 5,000 devices.
        foreach (var part in devices.Chunk(5_000))
        {
            var token = await BenchmarkNode.LoginAsync(http, email);
            await Parallel.ForEachAsync(part, new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (device, _) =>
            {
                var one = Stopwatch.StartNew();
                using var response = await BenchmarkNode.Send(http, HttpMethod.Post, $"/api/v1/companies/{companyId}/devices/{device.Mac}/licenses", token, new { version = "V13", licenses = new Dictionary<string, int> { [LicenseType] = 1 } });
                Interlocked.Add(ref ticks, one.ElapsedTicks);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    error();
                    Console.WriteLine($"audit: bind {device.Mac} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                }
            });
        }

        return (clock.Elapsed, ticks * 1000.0 / Stopwatch.Frequency / devices.Count);
    }

    private static async Task<(double Rss, double Activations)> ReadAsync(HttpClient http, int processId)
    {
        var activations = await ExternalNode.ScrapeAsync(http, "orleans_catalog_activations");
        var status = await File.ReadAllLinesAsync($"/proc/{processId}/status");
        var rss = double.Parse(status.First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        return (rss, activations);
    }
}
