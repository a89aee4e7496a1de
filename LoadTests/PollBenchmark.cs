using System.Globalization;
using System.Net;
using System.Text;

namespace OrleansLicensing.LoadTests;

/// <summary>
/// The device poll measured from outside (issue 14, SPEC §6, R-C3). The node is the built silo
/// binary (API co-hosted) as its own process with its production configuration; the plain-Kestrel
/// baseline is another process (<see cref="PollBaseline"/>) answering the poll route with the same
/// bytes; this process only generates load. Part 1: <c>--devices</c> devices with one lot each,
/// closed loop over <c>--concurrency</c> connections, baseline and poll alternating, every round
/// cross-checked with wrk when it is installed, then an open-loop run at half the measured poll
/// saturation for the latency. Part 2: the fleet of <c>--poll-devices</c> devices, uniform and
/// hot-set, full answers and 304s. CPU of node, generator and wrk from <c>/proc</c>.
/// </summary>
public static class PollBenchmark
{
    public const string Heading = "## Device poll hot path";
    private const string Route = "/api/v1/device/license";
    private const int WrkThreads = 2;

    public static async Task<string> RunAsync(BenchmarkOptions options, string root)
    {
        var seconds = options.Seconds;
        var duration = TimeSpan.FromSeconds(seconds);
        var warmup = TimeSpan.FromSeconds(Math.Min(4, seconds));
        var fleetSize = Math.Max(options.PollDevices, options.Devices);
        var wrk = PollWrk.Find();
        var script = PollWrk.Script(root);

        await using var node = await ExternalNode.StartAsync(root, configuration: options.NodeConfiguration);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = new Uri(node.Url), Timeout = TimeSpan.FromSeconds(120) };
        var seeding = System.Diagnostics.Stopwatch.StartNew();
        var email = await BenchmarkNode.RegisterAccountAsync(http);
        var token = await BenchmarkNode.LoginAsync(http, email);
        var (companyId, projectId) = await BenchmarkNode.CreateCompanyAsync(http, token, "Poll");
        await BenchmarkNode.FundAsync(http, token, companyId, projectId, "PBX-Port8*20", fleetSize);
        var devices = await SeedDevicesAsync(http, email, companyId, projectId, 0x100000, options.Devices);
        var seedSeconds = seeding.Elapsed.TotalSeconds;
        Console.WriteLine($"seeded {devices.Count} devices in {seedSeconds:F0} s; settled after {await SettleAsync(node.ProcessId):F0} s more");

        var sample = await PollOnceAsync(http, devices[0].Mac, devices[0].Secret, null);
        await using var baseline = await PollBaseline.StartAsync(sample.Body, sample.ETag);
        var nodeUri = new Uri(node.Url);
        var baselineUri = new Uri(baseline.Url);
        var nodeEndpoint = new IPEndPoint(IPAddress.Loopback, nodeUri.Port);
        var baselineEndpoint = new IPEndPoint(IPAddress.Loopback, baselineUri.Port);
        var full = devices.Select(d => (d.Mac, d.Secret, (string?)null)).ToArray();
        var nodeRequests = Encode(nodeUri, full);
        var baselineRequests = Encode(baselineUri, full);
        var wrkFile = await PollWrk.WriteRequestsAsync(full);
        Console.WriteLine($"poll body {sample.Body.Length} bytes; node pid {node.ProcessId}, baseline pid {baseline.ProcessId} on {baseline.Url}; wrk: {wrk ?? "not installed"}");

        for (var i = 0; i < 2; i++)
        {
            await LoadGenerator.ClosedLoopAsync(baselineEndpoint, r => baselineRequests[r % baselineRequests.Length], options.Concurrency, warmup);
            await LoadGenerator.ClosedLoopAsync(nodeEndpoint, r => nodeRequests[r % nodeRequests.Length], options.Concurrency, warmup);
        }

        var rounds = new List<Round>();
        for (var round = 1; round <= options.Rounds; round++)
        {
            var plain = await MeasureAsync(baseline.ProcessId, () => LoadGenerator.ClosedLoopAsync(baselineEndpoint, r => baselineRequests[r % baselineRequests.Length], options.Concurrency, duration));
            var poll = await MeasureAsync(node.ProcessId, () => LoadGenerator.ClosedLoopAsync(nodeEndpoint, r => nodeRequests[r % nodeRequests.Length], options.Concurrency, duration));
            WrkMeasured? wrkPlain = null, wrkPoll = null;
            if (wrk is not null)
            {
                wrkPlain = await MeasureWrkAsync(baseline.ProcessId, () => PollWrk.RunAsync(wrk, script, baseline.Url, wrkFile, WrkThreads, options.Concurrency, seconds));
                wrkPoll = await MeasureWrkAsync(node.ProcessId, () => PollWrk.RunAsync(wrk, script, node.Url, wrkFile, WrkThreads, options.Concurrency, seconds));
            }

            var result = new Round(plain, poll, wrkPlain, wrkPoll);
            rounds.Add(result);
            Console.WriteLine($"round {round}: kestrel {plain.Load.RequestsPerSecond:F0}/s, poll {poll.Load.RequestsPerSecond:F0}/s ({result.Ratio:P0}; node {poll.ServerCpu:F0} %, generator {poll.GeneratorCpu:F0} % of a core)"
                + (wrkPlain is null ? string.Empty : $"; wrk: kestrel {wrkPlain.Result.RequestsPerSecond:F0}/s, poll {wrkPoll!.Result.RequestsPerSecond:F0}/s ({result.WrkRatio:P0}; node {wrkPoll.ServerCpu:F0} %, wrk {wrkPoll.WrkCpu:F0} %)"));
        }

        var halfRate = BenchmarkNode.Median(rounds.Select(r => r.Poll.Load.RequestsPerSecond)) / 2;
        var paced = new List<Measured>();
        for (var round = 1; round <= 3; round++)
        {
            var result = await MeasureAsync(node.ProcessId, () => LoadGenerator.OpenLoopAsync(nodeEndpoint, r => nodeRequests[r % nodeRequests.Length], halfRate, options.Concurrency, duration));
            Console.WriteLine($"open loop {round} at {halfRate:F0}/s: p50 {result.Load.PercentileMs(50):F2} ms, p99 {result.Load.PercentileMs(99):F2} ms, failed {result.Load.Failures}");
            paced.Add(result);
        }

        var fleet = new List<FleetRow>();
        var fleetSeedSeconds = 0.0;
        if (options.PollDevices > 0)
        {
            seeding.Restart();
            var more = await SeedDevicesAsync(http, email, companyId, projectId, 0x100000 + devices.Count, fleetSize - devices.Count);
            var all = devices.Concat(more).ToList();
            fleetSeedSeconds = seeding.Elapsed.TotalSeconds;
            Console.WriteLine($"fleet: {all.Count} devices ({more.Count} more seeded in {fleetSeedSeconds:F0} s, settled after {await SettleAsync(node.ProcessId):F0} s more); polling each once for its ETag");
            var etags = new string[all.Count];
            await Parallel.ForAsync(0, all.Count, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, _) =>
                etags[i] = (await PollOnceAsync(http, all[i].Mac, all[i].Secret, null)).ETag);
            var hot = Math.Max(1, all.Count / 100);
            foreach (var (shape, order) in new (string, Func<int, int>)[]
            {
                ("uniform", i => i % all.Count),
                // 90 % of the polls go to 1 % of the devices, the rest spread over all of them.
                ("hot set", i => i % 10 != 9 ? i % hot : (int)((long)i * 7919 % all.Count)),
            })
            {
                foreach (var notModified in new[] { false, true })
                {
                    var requests = Enumerable.Range(0, Math.Max(all.Count, 10 * hot)).Select(order)
                        .Select(d => (all[d].Mac, all[d].Secret, notModified ? etags[d] : null)).ToArray();
                    var encoded = Encode(nodeUri, requests);
                    await LoadGenerator.ClosedLoopAsync(nodeEndpoint, r => encoded[r % encoded.Length], options.Concurrency, warmup);
                    var generated = await MeasureAsync(node.ProcessId, () => LoadGenerator.ClosedLoopAsync(nodeEndpoint, r => encoded[r % encoded.Length], options.Concurrency, duration));
                    WrkMeasured? checkedWith = null;
                    if (wrk is not null)
                    {
                        var file = await PollWrk.WriteRequestsAsync(requests);
                        checkedWith = await MeasureWrkAsync(node.ProcessId, () => PollWrk.RunAsync(wrk, script, node.Url, file, WrkThreads, options.Concurrency, seconds));
                        File.Delete(file);
                    }

                    var row = new FleetRow(shape, notModified ? "304 (If-None-Match)" : "200 (full answer)", generated, checkedWith);
                    fleet.Add(row);
                    Console.WriteLine($"fleet {row.Shape} {row.Answer}: {generated.Load.RequestsPerSecond:F0}/s, p99 {generated.Load.PercentileMs(99):F2} ms, failed {generated.Load.Failures}"
                        + (checkedWith is null ? string.Empty : $"; wrk {checkedWith.Result.RequestsPerSecond:F0}/s, p99 {checkedWith.Result.P99Ms:F2} ms, bad {checkedWith.Result.Bad}"));
                }
            }
        }

        File.Delete(wrkFile);
        var errors = rounds.Sum(r => r.Plain.Load.Failures + r.Poll.Load.Failures + (r.WrkPlain?.Result.Bad ?? 0) + (r.WrkPoll?.Result.Bad ?? 0))
            + paced.Sum(p => p.Load.Failures) + fleet.Sum(f => f.Generated.Load.Failures + (f.Wrk?.Result.Bad ?? 0));
        Console.WriteLine($"poll errors: {errors}");
        return Report(options, new Setup(sample.Body.Length, devices.Count, seedSeconds, fleetSize, fleetSeedSeconds, wrk), rounds, halfRate, paced, fleet, errors);
    }

    /// <summary>
    /// Waits (at most 3 minutes) until the node's background work after the seeding (index and
    /// history writes) has died down — below 15 % of a core over a second — so it does not run
    /// into the measurements; returns the seconds waited.
    /// </summary>
    private static async Task<double> SettleAsync(int nodePid)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromMinutes(3))
        {
            var before = ProcessCpu.Own(nodePid);
            await Task.Delay(TimeSpan.FromSeconds(1));
            if (ProcessCpu.Own(nodePid) - before < 0.15)
            {
                break;
            }
        }

        return clock.Elapsed.TotalSeconds;
    }

    private static byte[][] Encode(Uri server, IEnumerable<(string Mac, string Secret, string? ETag)> requests) =>
        requests.Select(r => r.ETag is null
            ? RawHttpConnection.Get(server, Route, ("X-Device-Mac", r.Mac), ("X-Device-Secret", r.Secret))
            : RawHttpConnection.Get(server, Route, ("X-Device-Mac", r.Mac), ("X-Device-Secret", r.Secret), ("If-None-Match", r.ETag))).ToArray();

    private static async Task<Measured> MeasureAsync(int serverPid, Func<Task<LoadResult>> run)
    {
        var (server, own) = (ProcessCpu.Own(serverPid), ProcessCpu.Own(Environment.ProcessId));
        var result = await run();
        return new Measured(result, 100 * (ProcessCpu.Own(serverPid) - server) / result.Seconds, 100 * (ProcessCpu.Own(Environment.ProcessId) - own) / result.Seconds);
    }

    private static async Task<WrkMeasured> MeasureWrkAsync(int serverPid, Func<Task<WrkResult>> run)
    {
        var server = ProcessCpu.Own(serverPid);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var result = await run();
        var seconds = clock.Elapsed.TotalSeconds;
        return new WrkMeasured(result, 100 * (ProcessCpu.Own(serverPid) - server) / seconds, 100 * result.CpuSeconds / seconds);
    }

    /// <summary>
    /// Registers, adds and gives one lot to each of <paramref name="count"/> devices, 5,000 at a
    /// time, signing in again for each batch (a 100,000-device seeding outlives an access token).
    /// </summary>
    private static async Task<List<(string Mac, string Secret)>> SeedDevicesAsync(HttpClient http, string email, string companyId, string projectId, int firstSuffix, int count)
    {
        var devices = new List<(string Mac, string Secret)>(Math.Max(0, count));
        for (var start = 0; start < count; start += 5_000)
        {
            var token = await BenchmarkNode.LoginAsync(http, email);
            var batch = await BenchmarkNode.AddDevicesAsync(http, token, companyId, projectId, firstSuffix + start, Math.Min(5_000, count - start));
            await Parallel.ForEachAsync(batch, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (device, _) =>
                await BenchmarkNode.Expect(BenchmarkNode.Send(http, HttpMethod.Post, $"/api/v1/companies/{companyId}/devices/{device.Mac}/licenses", token, new { version = "V13", licenses = new Dictionary<string, int> { ["PBX-Port8*20"] = 1 } }), HttpStatusCode.OK));
            devices.AddRange(batch);
        }

        return devices;
    }

    private static async Task<(byte[] Body, string ETag)> PollOnceAsync(HttpClient http, string mac, string secret, string? etag)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Route);
        request.Headers.Add("X-Device-Mac", mac);
        request.Headers.Add("X-Device-Secret", secret);
        if (etag is not null)
        {
            request.Headers.Add("If-None-Match", etag);
        }

        using var response = await BenchmarkNode.Expect(http.SendAsync(request), HttpStatusCode.OK);
        return (await response.Content.ReadAsByteArrayAsync(), response.Headers.ETag!.Tag);
    }

    private static string Report(BenchmarkOptions options, Setup setup, List<Round> rounds, double halfRate, List<Measured> paced, List<FleetRow> fleet, long errors)
    {
        var text = new StringBuilder();
        var wrk = setup.Wrk is not null;
        text.AppendLine(CultureInfo.InvariantCulture, $"{Heading}, measured from outside (issue 14, SPEC §6, R-C3)");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Command: `dotnet build -c Release Silo && dotnet run -c Release --project LoadTests -- --only poll --seconds {options.Seconds} --rounds {options.Rounds} --concurrency {options.Concurrency} --devices {options.Devices} --poll-devices {options.PollDevices} --out docs/benchmarks.md`");
        text.AppendLine(CultureInfo.InvariantCulture, $"Measured: {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC, commit {Commit()}, {Environment.ProcessorCount} cores ({CpuModel()}), {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}; 1-minute load average at the end {QueryLatencies.LoadAverage()} (the machine is shared with other work).");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Setup: the node is the {options.NodeConfiguration} silo binary with the API co-hosted, its own process with its production configuration (SQLite, full durability; the poll reads no storage). The baseline is a second process, `LoadTests --baseline-server`, plain Kestrel answering the poll route with the same {setup.BodyBytes} bytes, ETag and Cache-Control. Load comes from this LoadTests process: the generator (HTTP/1.1 keep-alive over {options.Concurrency} raw-socket connections, pre-encoded requests, parsing only status and Content-Length) and, as a cross-check in the same run, {(wrk ? $"wrk ({setup.Wrk}, {WrkThreads} threads, the same {options.Concurrency} connections, `LoadTests/poll.lua` over the same requests)" : "wrk — not installed on this machine, so no cross-check")}. All processes share the machine's {Environment.ProcessorCount} cores; the CPU columns are user + system time from `/proc` as % of one core ({Environment.ProcessorCount * 100} % = the whole machine). {setup.Devices} devices with one lot each (seeded through the API in {setup.SeedSeconds:F0} s; measurements start once the node's CPU after the seeding is below 15 % of a core), polled in turn without `If-None-Match` (full answers), {options.Seconds} s per measurement after 2 × {Math.Min(4, options.Seconds)} s warm-up of each server.");
        text.AppendLine();
        text.AppendLine("Closed loop (saturation), baseline and poll alternating:");
        text.AppendLine();
        text.AppendLine(wrk
            ? "| round | Kestrel req/s | poll req/s | ratio | poll p99 | node CPU | generator CPU | wrk: Kestrel req/s | wrk: poll req/s | wrk: ratio | wrk: poll p99 | wrk: node CPU | wrk CPU |"
            : "| round | Kestrel req/s | poll req/s | ratio | poll p99 | node CPU | generator CPU |");
        text.AppendLine(wrk ? "|---|---|---|---|---|---|---|---|---|---|---|---|---|" : "|---|---|---|---|---|---|---|");
        for (var i = 0; i < rounds.Count; i++)
        {
            var r = rounds[i];
            text.Append(CultureInfo.InvariantCulture, $"| {i + 1} | {r.Plain.Load.RequestsPerSecond:F0} | {r.Poll.Load.RequestsPerSecond:F0} | {r.Ratio:P0} | {r.Poll.Load.PercentileMs(99):F2} ms | {r.Poll.ServerCpu:F0} % | {r.Poll.GeneratorCpu:F0} % |");
            text.AppendLine(wrk ? string.Create(CultureInfo.InvariantCulture, $" {r.WrkPlain!.Result.RequestsPerSecond:F0} | {r.WrkPoll!.Result.RequestsPerSecond:F0} | {r.WrkRatio:P0} | {r.WrkPoll.Result.P99Ms:F2} ms | {r.WrkPoll.ServerCpu:F0} % | {r.WrkPoll.WrkCpu:F0} % |") : string.Empty);
        }

        var ratio = BenchmarkNode.Median(rounds.Select(r => r.Ratio));
        text.Append(CultureInfo.InvariantCulture, $"| **median** | **{BenchmarkNode.Median(rounds.Select(r => r.Plain.Load.RequestsPerSecond)):F0}** | **{halfRate * 2:F0}** | **{ratio:P0}** (target ≥ 60 %) | {BenchmarkNode.Median(rounds.Select(r => r.Poll.Load.PercentileMs(99))):F2} ms | {BenchmarkNode.Median(rounds.Select(r => r.Poll.ServerCpu)):F0} % | {BenchmarkNode.Median(rounds.Select(r => r.Poll.GeneratorCpu)):F0} % |");
        text.AppendLine(wrk ? string.Create(CultureInfo.InvariantCulture, $" **{BenchmarkNode.Median(rounds.Select(r => r.WrkPlain!.Result.RequestsPerSecond)):F0}** | **{BenchmarkNode.Median(rounds.Select(r => r.WrkPoll!.Result.RequestsPerSecond)):F0}** | **{BenchmarkNode.Median(rounds.Select(r => r.WrkRatio)):P0}** | {BenchmarkNode.Median(rounds.Select(r => r.WrkPoll!.Result.P99Ms)):F2} ms | {BenchmarkNode.Median(rounds.Select(r => r.WrkPoll!.ServerCpu)):F0} % | {BenchmarkNode.Median(rounds.Select(r => r.WrkPoll!.WrkCpu)):F0} % |") : string.Empty);
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Baseline CPU (generator rounds, median): Kestrel process {BenchmarkNode.Median(rounds.Select(r => r.Plain.ServerCpu)):F0} %, generator {BenchmarkNode.Median(rounds.Select(r => r.Plain.GeneratorCpu)):F0} % of a core. Ratio = poll / Kestrel of the same round, median of the rounds.");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Open loop at half the poll saturation ({halfRate:F0} req/s = half the generator's median above; constant arrival rate over {options.Concurrency} connections, latency from each request's scheduled time, so queueing for a connection counts; HdrHistogram):");
        text.AppendLine();
        text.AppendLine("| round | p50 | p99 | p99.9 | max | failed | node CPU | generator CPU |");
        text.AppendLine("|---|---|---|---|---|---|---|---|");
        for (var i = 0; i < paced.Count; i++)
        {
            var p = paced[i];
            text.AppendLine(CultureInfo.InvariantCulture, $"| {i + 1} | {p.Load.PercentileMs(50):F2} ms | {p.Load.PercentileMs(99):F2} ms | {p.Load.PercentileMs(99.9):F2} ms | {p.Load.PercentileMs(100):F2} ms | {p.Load.Failures} of {p.Load.Requests} | {p.ServerCpu:F0} % | {p.GeneratorCpu:F0} % |");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"| **median** | **{BenchmarkNode.Median(paced.Select(p => p.Load.PercentileMs(50))):F2} ms** | **{BenchmarkNode.Median(paced.Select(p => p.Load.PercentileMs(99))):F2} ms** (target < 10 ms) | {BenchmarkNode.Median(paced.Select(p => p.Load.PercentileMs(99.9))):F2} ms | | | | |");
        if (fleet.Count > 0)
        {
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"Fleet: the same node with {setup.FleetSize} devices, one lot each ({setup.FleetSize - setup.Devices} more seeded in {setup.FleetSeedSeconds:F0} s, then each polled once for its ETag). *Uniform*: every device in turn; *hot set*: 90 % of the polls on 1 % of the devices ({Math.Max(1, setup.FleetSize / 100)}), the rest spread over all. *304*: the request carries the device's current ETag as `If-None-Match`. Closed loop, {options.Concurrency} connections, one {options.Seconds} s measurement each after a {Math.Min(4, options.Seconds)} s warm-up.");
            text.AppendLine();
            text.AppendLine(wrk ? "| polls | answer | req/s | p99 | failed | node CPU | generator CPU | wrk req/s | wrk p99 | wrk: not 2xx/3xx | wrk CPU |" : "| polls | answer | req/s | p99 | failed | node CPU | generator CPU |");
            text.AppendLine(wrk ? "|---|---|---|---|---|---|---|---|---|---|---|" : "|---|---|---|---|---|---|---|");
            foreach (var f in fleet)
            {
                text.Append(CultureInfo.InvariantCulture, $"| {f.Shape} | {f.Answer} | {f.Generated.Load.RequestsPerSecond:F0} | {f.Generated.Load.PercentileMs(99):F2} ms | {f.Generated.Load.Failures} | {f.Generated.ServerCpu:F0} % | {f.Generated.GeneratorCpu:F0} % |");
                text.AppendLine(f.Wrk is { } w ? string.Create(CultureInfo.InvariantCulture, $" {w.Result.RequestsPerSecond:F0} | {w.Result.P99Ms:F2} ms | {w.Result.Bad} | {w.WrkCpu:F0} % |") : string.Empty);
            }
        }

        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Requests that failed or were not answered 200/304, over the whole run: {errors}.");
        return text.ToString();
    }

    private static string Commit()
    {
        try
        {
            using var git = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("git", "rev-parse --short HEAD") { RedirectStandardOutput = true, UseShellExecute = false, WorkingDirectory = BenchmarkOptions.FindRoot() })!;
            var head = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            return head.Length > 0 ? head : "unknown";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "unknown";
        }
    }

    private static string CpuModel() =>
        File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(line => line.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU"
            : "unknown CPU";

    private sealed record Setup(int BodyBytes, int Devices, double SeedSeconds, int FleetSize, double FleetSeedSeconds, string? Wrk);

    /// <summary>A generator measurement; CPU in % of one core over it.</summary>
    private sealed record Measured(LoadResult Load, double ServerCpu, double GeneratorCpu);

    private sealed record WrkMeasured(WrkResult Result, double ServerCpu, double WrkCpu);

    private sealed record Round(Measured Plain, Measured Poll, WrkMeasured? WrkPlain, WrkMeasured? WrkPoll)
    {
        public double Ratio => Poll.Load.RequestsPerSecond / Plain.Load.RequestsPerSecond;

        public double WrkRatio => WrkPoll is null ? double.NaN : WrkPoll.Result.RequestsPerSecond / WrkPlain!.Result.RequestsPerSecond;
    }

    private sealed record FleetRow(string Shape, string Answer, Measured Generated, WrkMeasured? Wrk);
}
