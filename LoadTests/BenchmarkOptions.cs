using System.Globalization;

namespace OrleansLicensing.LoadTests;

public sealed record BenchmarkOptions(int Seconds, int Rounds, int Concurrency, int Devices, string? OutputPath, string? Only, string? BaselineRoot = null, int Clients = 16, int? ImportDevices = null)
{
    /// <summary>Devices of the poll benchmark's fleet scenario (uniform and hot-set, 200 and 304); 0 skips it.</summary>
    public int PollDevices { get; init; } = 100_000;

    /// <summary>Device holders of the audit scenario (<c>--only audit --devices N</c>).</summary>
    public int AuditDevices { get; init; } = 100_000;

    /// <summary>Build configuration of the node binary the out-of-process benchmarks start (Release; Debug for the CI smoke).</summary>
    public string NodeConfiguration { get; init; } = "Release";

    /// <summary>redeem-burst: activation keys minted and redeemed per round.</summary>
    public int Keys { get; init; } = 2_000;

    /// <summary>license-ops and license-mix: warm-up before each measured round, and the shortest round they accept (the CI smoke goes below the defaults).</summary>
    public int WarmupSeconds { get; init; } = 10;

    public int MinimumSeconds { get; init; } = 10;

    /// <summary>license-ops and license-mix: companies seeded, and devices in each.</summary>
    public int Companies { get; init; } = 8;

    public int DevicesPerCompany { get; init; } = 50;

    /// <summary>The sizes of the search, history and orders scenarios (their documented sizes by default; the CI smoke runs them small).</summary>
    public int SearchDevices { get; init; } = 10_000;

    public int HistoryEvents { get; init; } = 100_000;

    public int OrderDevices { get; init; } = 10_000;

    /// <summary>search and history: timed reads per kind; null keeps each scenario's own count (at least 100).</summary>
    public int? Queries { get; init; }

    /// <summary>memory: how long to wait for the collector's next full collection before each reading.</summary>
    public int GcWaitSeconds { get; init; } = 60;

    /// <summary>`--only cluster --cluster-only true`: measure the cluster shape without the single node beside it.</summary>
    public bool ClusterOnly { get; init; }

    public static BenchmarkOptions Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"Unexpected argument '{args[i]}'.");
            }

            values[args[i][2..]] = args[i + 1];
        }

        int Int(string name, int fallback) => values.TryGetValue(name, out var text) ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;
        return new BenchmarkOptions(
            Seconds: Int("seconds", 6),
            Rounds: Int("rounds", 7),
            Concurrency: Int("concurrency", 64),
            Devices: Int("devices", 1000),
            // A partial run (--only poll|ledger) prints its section and writes a file only when asked.
            // A relative --out is taken from the repository root (dotnet run starts in LoadTests/).
            OutputPath: values.GetValueOrDefault("out") is { } output ? Path.Combine(FindRoot(), output)
                : values.ContainsKey("only") ? null : Path.Combine(FindRoot(), "docs", "benchmarks.md"),
            Only: values.GetValueOrDefault("only"),
            // license-ops: a checkout of an earlier commit (its Release node built) measured in the same run.
            BaselineRoot: values.GetValueOrDefault("baseline-root"),
            Clients: Int("clients", 16),
            // `--only import --import-devices N`: the import scenario with N devices (to find where time goes).
            ImportDevices: values.ContainsKey("import-devices") ? Int("import-devices", 0) : null)
        {
            PollDevices = Int("poll-devices", 100_000),
            AuditDevices = Int("devices", 100_000),
            NodeConfiguration = values.GetValueOrDefault("node-configuration") ?? "Release",
            Keys = Int("keys", 2_000),
            WarmupSeconds = Int("warmup-seconds", 10),
            MinimumSeconds = Int("min-seconds", 10),
            Companies = Int("companies", 8),
            DevicesPerCompany = Int("devices-per-company", 50),
            SearchDevices = Int("search-devices", 10_000),
            HistoryEvents = Int("history-events", 100_000),
            OrderDevices = Int("order-devices", 10_000),
            Queries = values.ContainsKey("queries") ? Int("queries", 0) : null,
            GcWaitSeconds = Int("gc-wait-seconds", 60),
            ClusterOnly = values.GetValueOrDefault("cluster-only") == "true",
        };
    }

    public static string FindRoot()
    {
        var directory = new DirectoryInfo(Directory.GetCurrentDirectory());
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "OrleansLicensing.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? Directory.GetCurrentDirectory();
    }
}
