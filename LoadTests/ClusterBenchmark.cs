using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;

namespace OrleansLicensing.LoadTests;

/// <summary>
/// Issue 10, measured from outside: the production shape on this machine
/// (<c>deploy/local-cluster.sh up</c> with the Release binaries: a private PostgreSQL, 3 silo
/// processes, 2 gateway processes) under the curve benchmark's load — cross-project binds of one
/// unit by 16 closed-loop clients, half through each gateway, with device pollers beside them —
/// for one long round; then the same load on a single node (SQLite, the README's mode) for the
/// same time. The CPU time every process of each shape used (from <c>/proc</c>, PostgreSQL's
/// backends included) divided by the operations it completed gives the CPU cost per operation.
/// </summary>
public static class ClusterBenchmark
{
    public const string Heading = "## License operations on a 3-silo PostgreSQL cluster (issue 10)";

    public static async Task<string> RunAsync(BenchmarkOptions options, string root)
    {
        var seconds = Math.Max(10, options.Seconds);
        var rows = new List<(string Shape, CurveBenchmark.Round Round, double CpuSeconds, string Processes)>();

        await using (var cluster = await LocalClusterScript.UpAsync(root))
        {
            var gateways = cluster.GatewayUrls.Select(url => new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(120) }).ToList();
            rows.Add(await MeasureAsync(options, "cluster: 3 silos + 2 gateways + PostgreSQL", gateways, cluster.ProcessIds, seconds, cluster.SiloUrls));
            await AssertBalancedAsync(gateways[1]);
            gateways.ForEach(g => g.Dispose());
        }

        if (options.ClusterOnly)
        {
            return Report(options, seconds, rows);
        }

        await using (var node = await ExternalNode.StartAsync(root))
        {
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { BaseAddress = new Uri(node.Url), Timeout = TimeSpan.FromSeconds(120) };
            rows.Add(await MeasureAsync(options, "single node (SQLite)", [http], [node.ProcessId], seconds, [node.Url]));
            await AssertBalancedAsync(http);
        }

        return Report(options, seconds, rows);
    }

    private static async Task<(string, CurveBenchmark.Round, double, string)> MeasureAsync(BenchmarkOptions options, string shape, List<HttpClient> gateways, IReadOnlyList<int> processes, int seconds, IReadOnlyList<string> siloUrls)
    {
        var token = await BenchmarkNode.RegisterUserAsync(gateways[0]);
        var companies = await CurveBenchmark.SeedAsync(gateways[0], token, options.Companies, options.DevicesPerCompany, 0x500000);
        Console.WriteLine($"{shape}: seeded; {options.WarmupSeconds} s warm-up with polls (not counted)");
        await CurveBenchmark.RunRoundAsync(gateways, token, companies, options.Clients, TimeSpan.FromSeconds(options.WarmupSeconds), poll: true);

        var idleBefore = processes.Select(pid => ProcessCpu.Seconds([pid])).ToArray();
        await Task.Delay(TimeSpan.FromSeconds(5));
        var idle = processes.Select((pid, i) => ProcessCpu.Seconds([pid]) - idleBefore[i]).ToArray();
        var writesBefore = await StorageWritesAsync(siloUrls);
        var before = processes.Select(pid => ProcessCpu.Seconds([pid])).ToArray();
        var round = await CurveBenchmark.RunRoundAsync(gateways, token, companies, options.Clients, TimeSpan.FromSeconds(seconds), poll: true);
        var each = processes.Select((pid, i) => ProcessCpu.Seconds([pid]) - before[i]).ToArray();
        var cpu = each.Sum();
        var writesAfter = await StorageWritesAsync(siloUrls);
        var writes = writesAfter.Count - writesBefore.Count;
        var storage = $"{writes / Math.Max(1, round.Statuses.GetValueOrDefault(200)):F1} storage writes per operation, mean write {(writesAfter.Milliseconds - writesBefore.Milliseconds) / Math.Max(1, writes):F1} ms";
        Console.WriteLine($"{shape}: {storage}");
        Console.WriteLine($"{shape}: CPU per process tree over the round (idle 5 s before): {string.Join(", ", processes.Select((pid, i) => $"{pid} {each[i]:F1} s ({idle[i]:F2} s)"))}");
        var operations = round.Statuses.GetValueOrDefault(200);
        Console.WriteLine($"{shape}: {round.PerSecond:F0} ops/s over {seconds} s, min 1 s window {round.MinWindow}, p99 {CurveBenchmark.Ms(round.Latency, 99):F1} ms, {CurveBenchmark.Statuses(round)}; CPU {cpu:F1} s = {cpu * 1000 / Math.Max(1, operations):F2} ms per operation; polls {round.Polls!.TotalCount}, p99 {CurveBenchmark.Ms(round.Polls, 99):F1} ms");
        return (shape, round, cpu, storage);
    }

    /// <summary>Grain storage writes (count, total milliseconds) summed over the silos' <c>/metrics</c>.</summary>
    private static async Task<(double Count, double Milliseconds)> StorageWritesAsync(IReadOnlyList<string> siloUrls)
    {
        double count = 0, milliseconds = 0;
        foreach (var url in siloUrls)
        {
            using var http = new HttpClient { BaseAddress = new Uri(url) };
            count += await ExternalNode.ScrapeAsync(http, "licensing_storage_duration_milliseconds_count", "operation=\"write\"");
            milliseconds += await ExternalNode.ScrapeAsync(http, "licensing_storage_duration_milliseconds_sum", "operation=\"write\"");
        }

        return (count, milliseconds);
    }

    private static async Task AssertBalancedAsync(HttpClient http)
    {
        var audit = await BenchmarkNode.Json(await BenchmarkNode.Expect(BenchmarkNode.Send(http, HttpMethod.Get, "/api/v1/vendor/audit", BenchmarkNode.VendorKey, null), HttpStatusCode.OK));
        if (!audit["balanced"]!.GetValue<bool>())
        {
            throw new InvalidOperationException($"The audit is not balanced: {audit.ToJsonString()}");
        }
    }

    /// <summary>The shape options that differ from the defaults, as they were given on the command line.</summary>
    private static string ShapeArguments(BenchmarkOptions options)
    {
        var defaults = BenchmarkOptions.Parse([]);
        return string.Concat(
            options.Companies != defaults.Companies ? FormattableString.Invariant($" --companies {options.Companies}") : string.Empty,
            options.DevicesPerCompany != defaults.DevicesPerCompany ? FormattableString.Invariant($" --devices-per-company {options.DevicesPerCompany}") : string.Empty,
            options.Clients != defaults.Clients ? FormattableString.Invariant($" --clients {options.Clients}") : string.Empty,
            options.WarmupSeconds != defaults.WarmupSeconds ? FormattableString.Invariant($" --warmup-seconds {options.WarmupSeconds}") : string.Empty,
            options.ClusterOnly ? " --cluster-only true" : string.Empty);
    }

    private static string Report(BenchmarkOptions options, int seconds, List<(string Shape, CurveBenchmark.Round Round, double CpuSeconds, string Processes)> rows)
    {
        var text = new StringBuilder();
        text.AppendLine(Heading);
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Command: `dotnet build -c Release Silo && dotnet build -c Release Gateway && dotnet run -c Release --project LoadTests -- --only cluster --seconds {seconds}{ShapeArguments(options)}` ({DateTime.UtcNow:yyyy-MM-dd}, {Environment.ProcessorCount} cores, 1-minute load average at the end {QueryLatencies.LoadAverage()}). The cluster is `CONFIGURATION=Release deploy/local-cluster.sh up` (a private PostgreSQL 15 on loopback, 3 silo processes, 2 gateway processes, their production configuration: full durability); the single node is the Release silo binary with the API co-hosted on SQLite. Load from the LoadTests process: {options.Clients} closed-loop clients binding 1 PBX-Port8 to a device of one of {options.Companies} companies ({options.Companies * options.DevicesPerCompany} devices) drawn from another project of the company (`fromProjects`, one transaction over the device and that project), clients alternating between the two gateways; 4 device pollers (10 ms pause) beside them, also alternating. A {options.WarmupSeconds} s warm-up, then one {seconds} s round per shape. CPU is user + system time of every process of the shape and its children (PostgreSQL's backends included) from `/proc`, over the round; the load generator's own CPU is not counted. Everything runs on the same cores, so the cluster's five .NET processes and PostgreSQL compete with each other and with the generator.");
        text.AppendLine();
        text.AppendLine("| shape | ops/s | min 1 s window | p50 | p99 | max | answers | CPU over the round | CPU per operation | polls (p99) | grain storage |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var (shape, r, cpu, storage) in rows)
        {
            var operations = Math.Max(1, r.Statuses.GetValueOrDefault(200));
            text.AppendLine(CultureInfo.InvariantCulture, $"| {shape} | {r.PerSecond:F0} | {r.MinWindow} | {CurveBenchmark.Ms(r.Latency, 50):F1} ms | {CurveBenchmark.Ms(r.Latency, 99):F1} ms | {CurveBenchmark.Max(r.Latency):F0} ms | {CurveBenchmark.Statuses(r)} | {cpu:F1} s | {cpu * 1000 / operations:F2} ms | {r.Polls!.TotalCount} ({CurveBenchmark.Ms(r.Polls, 99):F1} ms) | {storage} |");
        }

        if (rows.Count == 2)
        {
            var cluster = rows[0].CpuSeconds / Math.Max(1, rows[0].Round.Statuses.GetValueOrDefault(200));
            var single = rows[1].CpuSeconds / Math.Max(1, rows[1].Round.Statuses.GetValueOrDefault(200));
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"CPU per operation, cluster against single node: **{cluster / single:F2}×**. The audit was balanced after each shape's round.");
        }

        return text.ToString();
    }
}

/// <summary>CPU time of process trees, read from <c>/proc</c> (Linux).</summary>
public static class ProcessCpu
{
    /// <summary>User + system seconds of the given processes and all their descendants that are alive now.</summary>
    public static double Seconds(IReadOnlyList<int> roots)
    {
        var parents = new Dictionary<int, int>();
        var ticks = new Dictionary<int, long>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid))
            {
                continue;
            }

            try
            {
                // Fields after the command (which is in parentheses and may hold spaces): state, ppid, … utime (14), stime (15).
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                parents[pid] = int.Parse(fields[1], CultureInfo.InvariantCulture);
                ticks[pid] = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
            {
                // The process ended while we read.
            }
        }

        var included = new HashSet<int>(roots);
        bool added;
        do
        {
            added = false;
            foreach (var (pid, parent) in parents)
            {
                if (included.Contains(parent) && included.Add(pid))
                {
                    added = true;
                }
            }
        }
        while (added);

        // USER_HZ is 100 on Linux.
        return included.Sum(pid => ticks.GetValueOrDefault(pid)) / 100.0;
    }

    /// <summary>User + system seconds of one process alone (threads included, children not).</summary>
    public static double Own(int pid) => StatSeconds(pid, 11);

    /// <summary>User + system seconds of this process's children that have ended and been waited for (e.g. a finished wrk run).</summary>
    public static double EndedChildren() => StatSeconds(Environment.ProcessId, 13);

    private static double StatSeconds(int pid, int field)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[field], CultureInfo.InvariantCulture) + long.Parse(fields[field + 1], CultureInfo.InvariantCulture)) / 100.0;
    }
}

/// <summary>The local cluster of <c>deploy/local-cluster.sh</c>, started with the Release binaries and stopped (data removed) on dispose.</summary>
public sealed class LocalClusterScript : IAsyncDisposable
{
    private readonly string _root;

    private LocalClusterScript(string root, IReadOnlyList<string> gatewayUrls, IReadOnlyList<int> processIds)
    {
        _root = root;
        GatewayUrls = gatewayUrls;
        ProcessIds = processIds;
    }

    public IReadOnlyList<string> GatewayUrls { get; }

    /// <summary>The silos' health and metrics endpoints.</summary>
    public IReadOnlyList<string> SiloUrls { get; init; } = [];

    /// <summary>PostgreSQL, the silos and the gateways.</summary>
    public IReadOnlyList<int> ProcessIds { get; }

    public static async Task<LocalClusterScript> UpAsync(string root)
    {
        await RunScriptAsync(root, "up");
        var env = File.ReadAllLines(Path.Combine(root, "deploy", ".local-cluster", "env"))
            .Select(line => line.Split('=', 2)).Where(parts => parts.Length == 2).ToDictionary(parts => parts[0], parts => parts[1]);
        var pids = new[] { "POSTGRES_PID", "SILO_PIDS", "GATEWAY_PIDS" }
            .SelectMany(key => env[key].Split(',', StringSplitOptions.RemoveEmptyEntries)).Select(pid => int.Parse(pid, CultureInfo.InvariantCulture)).ToArray();
        return new LocalClusterScript(root, env["GATEWAY_URLS"].Split(','), pids) { SiloUrls = env["SILO_HEALTH_URLS"].Split(',') };
    }

    public async ValueTask DisposeAsync() => await RunScriptAsync(_root, "down");

    private static async Task RunScriptAsync(string root, string verb)
    {
        var start = new ProcessStartInfo("bash") { WorkingDirectory = root, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(root, "deploy", "local-cluster.sh"));
        start.ArgumentList.Add(verb);
        start.Environment["CONFIGURATION"] = "Release";
        start.Environment["VENDOR_API_KEY"] = BenchmarkNode.VendorKey;
        foreach (var (key, value) in ExternalNode.LoadSettings)
        {
            // The script's processes inherit the environment: Section__Key is how .NET reads Section:Key there.
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        using var process = Process.Start(start)!;
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"deploy/local-cluster.sh {verb} exited with {process.ExitCode}.");
        }
    }
}
