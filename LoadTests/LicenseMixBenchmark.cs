using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using HdrHistogram;

namespace OrleansLicensing.LoadTests;

/// <summary>
/// Issue 14, a mixed workload of license operations from outside: the node as its own process
/// (SQLite, full durability) and closed-loop clients, each owning its own devices of one company,
/// cycling through five operations in fixed proportions (20 % each): redeem an activation key the
/// vendor minted beforehand into the company's source project (R-K2), bind one unit to a device
/// drawn from that project (<c>fromProjects</c>, R-P6), move a device's licenses to an empty device
/// (R-L5), return a device's PBX licenses to the free pool by a signed invalidation (R-V5), and bind
/// the client's free-pool lots to a device (R-L4). Every answer is checked against the status the
/// client's own model expects. The client keeps its own account of every unit it moved; at the end
/// the tool reads back every holder it touched (source balances, devices, free pools) and compares
/// with that account, and reads the audit.
/// </summary>
public static class LicenseMixBenchmark
{
    public const string Heading = "## Mixed license operations on one SQLite node, measured from outside (issue 14)";

    private const string LicenseType = "PBX-Port8";
    /// <summary>What <see cref="CurveBenchmark.SeedAsync"/> funds each source project with.</summary>
    private const int Funded = CurveBenchmark.Funded;

    /// <summary>Upper estimate of the node's operations per second, to mint enough keys before the load starts.</summary>
    private const int KeyEstimatePerSecond = 400;

    private static readonly Kind[] Cycle = [Kind.Redeem, Kind.CrossProjectAdd, Kind.Move, Kind.Return, Kind.AddFromFreePool];

    public enum Kind
    {
        Redeem,
        CrossProjectAdd,
        Move,
        Return,
        AddFromFreePool,
    }

    public static async Task<string> RunAsync(BenchmarkOptions options, string root)
    {
        var seconds = Math.Max(options.MinimumSeconds, options.Seconds);
        var rounds = Math.Max(1, options.Rounds);
        await using var node = await ExternalNode.StartAsync(root, configuration: options.NodeConfiguration);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { BaseAddress = new Uri(node.Url), Timeout = TimeSpan.FromSeconds(120) };
        var token = await BenchmarkNode.RegisterUserAsync(http);
        var seeding = Stopwatch.StartNew();
        var clients = await SeedAsync(http, token, options, options.WarmupSeconds + (rounds * seconds));
        Console.WriteLine($"license-mix: seeded {options.Companies} companies × {options.DevicesPerCompany} devices (each with a certificate key), {clients.Sum(c => c.Keys.Count)} keys minted, in {seeding.Elapsed.TotalSeconds:F0} s");

        var warmup = await RunRoundAsync(http, token, clients, TimeSpan.FromSeconds(options.WarmupSeconds));
        var rows = new List<Row>();
        for (var round = 1; round <= rounds; round++)
        {
            var writesBefore = await ExternalNode.ScrapeAsync(http, "licensing_storage_duration_milliseconds_count", "operation=\"write\"");
            var cpuBefore = ProcessCpu.Seconds([node.ProcessId]);
            var result = await RunRoundAsync(http, token, clients, TimeSpan.FromSeconds(seconds));
            var cpu = ProcessCpu.Seconds([node.ProcessId]) - cpuBefore;
            var writes = await ExternalNode.ScrapeAsync(http, "licensing_storage_duration_milliseconds_count", "operation=\"write\"") - writesBefore;
            var balanced = await AuditAsync(http);
            var operations = Math.Max(1, result.Succeeded);
            var row = new Row(round, result, cpu * 1000 / operations, cpu / result.Seconds, writes / operations, balanced, QueryLatencies.LoadAverage());
            rows.Add(row);
            Console.WriteLine($"license-mix round {round}: {result.Succeeded / result.Seconds:F0} ops/s ({string.Join(", ", Enum.GetValues<Kind>().Select(k => $"{Label(k)} {result.PerSecond(k):F0}/s"))}), CPU {row.CpuMsPerOperation:F2} ms/op, {row.WritesPerOperation:F1} writes/op, errors {result.Errors.Count}, audit {(balanced ? "balanced" : "NOT balanced")}");
        }

        var differences = await ReadBackAsync(http, token, clients);
        var finalAudit = await AuditAsync(http);
        var errors = warmup.Errors.Concat(rows.SelectMany(r => r.Result.Errors)).ToList();
        foreach (var error in errors.Take(10))
        {
            Console.WriteLine($"  {error}");
        }

        foreach (var difference in differences.Take(10))
        {
            Console.WriteLine($"  read back: {difference}");
        }

        var count = errors.Count + differences.Count + rows.Count(r => !r.Balanced) + (finalAudit ? 0 : 1);
        Console.WriteLine($"license-mix errors: {count}");
        return Report(options, seconds, rows, warmup, clients, differences, finalAudit, count);
    }

    private static string Label(Kind kind) => kind switch
    {
        Kind.Redeem => "redeem",
        Kind.CrossProjectAdd => "cross-project add",
        Kind.Move => "move to an empty device",
        Kind.Return => "return to the free pool",
        _ => "add from the free pool",
    };

    private static async Task<bool> AuditAsync(HttpClient http) =>
        (await BenchmarkNode.Json(await BenchmarkNode.Expect(BenchmarkNode.Send(http, HttpMethod.Get, "/api/v1/vendor/audit", BenchmarkNode.VendorKey, null), HttpStatusCode.OK)))["balanced"]!.GetValue<bool>();

    /// <summary>
    /// Companies with a funded source project and devices in their default project, each device with
    /// a certificate key (the return is a signed invalidation); the devices are split between the
    /// clients, which get the keys they will redeem.
    /// </summary>
    private static async Task<List<Client>> SeedAsync(HttpClient http, string token, BenchmarkOptions options, int loadSeconds)
    {
        var companies = await CurveBenchmark.SeedAsync(http, token, options.Companies, options.DevicesPerCompany, 0x680000);
        var perClient = Math.Max(4, (int)Math.Ceiling((double)KeyEstimatePerSecond * loadSeconds / Cycle.Length / options.Clients));
        var clients = new List<Client>();
        for (var c = 0; c < options.Clients; c++)
        {
            var company = companies[c % companies.Count];
            var sharing = Enumerable.Range(0, options.Clients).Count(other => other % companies.Count == c % companies.Count);
            var mine = company.Devices.Where((_, i) => i % sharing == c / companies.Count).Select(d => new Device(d.Mac, ECDsa.Create(ECCurve.NamedCurves.nistP256))).ToList();
            if (mine.Count < 2)
            {
                throw new ArgumentException($"Each client needs at least two devices: raise --devices-per-company above {options.DevicesPerCompany} or lower --clients.");
            }

            clients.Add(new Client(company, mine, new Random(c)));
        }

        await Parallel.ForEachAsync(clients.SelectMany(c => c.Devices.Select(d => (c, d))), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (pair, _) =>
            await BenchmarkNode.Expect(BenchmarkNode.Send(http, HttpMethod.Post, $"/api/v1/companies/{pair.c.Company.Id}/devices/{pair.d.Mac}/certificate", token,
                new { publicKey = pair.d.Key.ExportSubjectPublicKeyInfoPem() }), HttpStatusCode.OK));
        await Parallel.ForEachAsync(clients.SelectMany(c => Enumerable.Range(0, perClient).Select(i => (c, units: 1 + (i % 3)))), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (pair, _) =>
        {
            var code = await BenchmarkNode.MintKeyAsync(http, LicenseType, pair.units);
            lock (pair.c.Keys)
            {
                pair.c.Keys.Enqueue((code, pair.units));
                pair.c.Minted++;
            }
        });
        return clients;
    }

    private static async Task<RoundResult> RunRoundAsync(HttpClient http, string token, List<Client> clients, TimeSpan duration)
    {
        var result = new RoundResult();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(clients.Select(client => Task.Run(async () =>
        {
            while (clock.Elapsed < duration)
            {
                var kind = Cycle[client.Step++ % Cycle.Length];
                var started = Stopwatch.GetTimestamp();
                var outcome = await RunAsync(http, token, client, kind);
                result.Record(kind, outcome, Stopwatch.GetElapsedTime(started).Ticks);
            }
        })));
        result.Seconds = clock.Elapsed.TotalSeconds;
        return result;
    }

    /// <summary>One operation of <paramref name="kind"/>; null when it answered as the client's model expected, else what went wrong ("skipped" when its precondition was not met).</summary>
    private static async Task<string?> RunAsync(HttpClient http, string token, Client client, Kind kind)
    {
        var company = $"/api/v1/companies/{client.Company.Id}";
        var empty = client.Devices.Where(d => d.Units == 0).ToList();
        var holding = client.Devices.Where(d => d.Units > 0).ToList();
        switch (kind)
        {
            case Kind.Redeem:
            {
                if (!client.Keys.TryDequeue(out var key))
                {
                    return Skipped;
                }

                using var response = await BenchmarkNode.Send(http, HttpMethod.Post, $"{company}/projects/{client.Company.Source}/activations", token, new { key = key.Code });
                if (response.StatusCode != HttpStatusCode.Created)
                {
                    return await UnexpectedAsync(kind, response, HttpStatusCode.Created);
                }

                client.Redeemed += key.Units;
                return null;
            }

            case Kind.CrossProjectAdd:
            {
                var device = client.Devices[client.Random.Next(client.Devices.Count)];
                using var response = await BenchmarkNode.Send(http, HttpMethod.Post, $"{company}/devices/{device.Mac}/licenses", token,
                    new { version = "V13", licenses = new Dictionary<string, int> { [LicenseType] = 1 }, fromProjects = new[] { client.Company.Source } });
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    return await UnexpectedAsync(kind, response, HttpStatusCode.OK);
                }

                device.Units++;
                client.Drawn++;
                return null;
            }

            case Kind.Move:
            {
                if (holding.Count == 0 || empty.Count == 0)
                {
                    return Skipped;
                }

                var (from, to) = (holding[client.Random.Next(holding.Count)], empty[client.Random.Next(empty.Count)]);
                using var response = await BenchmarkNode.Send(http, HttpMethod.Post, $"{company}/devices/{from.Mac}/licenses/move", token, new { targetMac = to.Mac });
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    return await UnexpectedAsync(kind, response, HttpStatusCode.OK);
                }

                (to.Units, from.Units) = (from.Units, 0);
                return null;
            }

            case Kind.Return:
            {
                if (holding.Count == 0)
                {
                    return Skipped;
                }

                var device = holding[client.Random.Next(holding.Count)];
                using var response = await BenchmarkNode.Send(http, HttpMethod.Post, $"{company}/devices/{device.Mac}/invalidation", token, new { document = device.Invalidation() });
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    return await UnexpectedAsync(kind, response, HttpStatusCode.OK);
                }

                var returned = (await BenchmarkNode.Json(response))["returned"]!.AsArray();
                var units = returned.Sum(l => l!["units"]!.GetValue<int>());
                if (units != device.Units)
                {
                    return $"{Label(kind)}: {device.Mac} returned {units} units, it held {device.Units}";
                }

                client.Pool.AddRange(returned.Select(l => (l!["lotId"]!.GetValue<string>(), l["units"]!.GetValue<int>())));
                device.Units = 0;
                return null;
            }

            default:
            {
                if (client.Pool.Count == 0)
                {
                    return Skipped;
                }

                var device = client.Devices[client.Random.Next(client.Devices.Count)];
                var lots = client.Pool.Take(200).ToList();
                using var response = await BenchmarkNode.Send(http, HttpMethod.Post, $"{company}/devices/{device.Mac}/licenses/from-free", token, new { lotIds = lots.Select(l => l.LotId).ToArray() });
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    return await UnexpectedAsync(kind, response, HttpStatusCode.OK);
                }

                client.Pool.RemoveRange(0, lots.Count);
                device.Units += lots.Sum(l => l.Units);
                return null;
            }
        }
    }

    private const string Skipped = "skipped";

    private static async Task<string> UnexpectedAsync(Kind kind, HttpResponseMessage response, HttpStatusCode expected) =>
        $"{Label(kind)}: {(int)response.StatusCode} {await BenchmarkNode.ProblemCodeAsync(response)} instead of {(int)expected}";

    /// <summary>
    /// The tool's own account against what the node says: per company the source project's balance
    /// (funding + keys redeemed − units drawn), the free pool, and every device's units.
    /// </summary>
    private static async Task<List<string>> ReadBackAsync(HttpClient http, string token, List<Client> clients)
    {
        var differences = new List<string>();
        foreach (var group in clients.GroupBy(c => c.Company.Id))
        {
            var company = group.First().Company;
            var path = $"/api/v1/companies/{company.Id}";
            var source = (await BenchmarkNode.Json(await BenchmarkNode.Expect(BenchmarkNode.Send(http, HttpMethod.Get, $"{path}/projects/{company.Source}/balance", token, null), HttpStatusCode.OK)))["licenses"]?[LicenseType]?.GetValue<int>() ?? 0;
            var expectedSource = Funded + group.Sum(c => c.Redeemed) - group.Sum(c => c.Drawn);
            if (source != expectedSource)
            {
                differences.Add($"company {company.Id}: source balance {source}, the tool's account {expectedSource}");
            }

            var home = company.Home;
            var pool = (await BenchmarkNode.Json(await BenchmarkNode.Expect(BenchmarkNode.Send(http, HttpMethod.Get, $"{path}/projects/{home}/free-licenses", token, null), HttpStatusCode.OK)))
                .AsArray().Where(l => l!["type"]!.GetValue<string>() == LicenseType).Sum(l => l!["units"]!.GetValue<int>());
            var expectedPool = group.Sum(c => c.Pool.Sum(l => l.Units));
            if (pool != expectedPool)
            {
                differences.Add($"company {company.Id}: free pool {pool}, the tool's account {expectedPool}");
            }

            var onDevices = 0;
            foreach (var device in group.SelectMany(c => c.Devices))
            {
                var units = (await BenchmarkNode.Json(await BenchmarkNode.Expect(BenchmarkNode.Send(http, HttpMethod.Get, $"{path}/devices/{device.Mac}", token, null), HttpStatusCode.OK)))["licenses"]!
                    .AsArray().Where(l => l!["type"]!.GetValue<string>() == LicenseType).Sum(l => l!["units"]!.GetValue<int>());
                onDevices += units;
                if (units != device.Units)
                {
                    differences.Add($"{device.Mac}: {units} units, the tool's account {device.Units}");
                }
            }

            // Conservation inside the company: what came in (funding, keys) is where the tool put it.
            var cameIn = Funded + group.Sum(c => c.Redeemed);
            if (source + pool + onDevices != cameIn)
            {
                differences.Add($"company {company.Id}: {source + pool + onDevices} units held, {cameIn} came in");
            }
        }

        return differences;
    }

    private static string Report(BenchmarkOptions options, int seconds, List<Row> rows, RoundResult warmup, List<Client> clients, List<string> differences, bool finalAudit, int errors)
    {
        var text = new StringBuilder();
        text.AppendLine(Heading);
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Command: `dotnet build -c Release Silo && dotnet run -c Release --project LoadTests -- --only license-mix --seconds {seconds} --rounds {rows.Count}` (commit {BenchmarkNode.Commit(BenchmarkOptions.FindRoot())}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores shared with the load generator). The {options.NodeConfiguration} node as its own process with its production configuration (SQLite, `Storage:SqliteSynchronous` = `Full`), one node for all rounds. Seeded through the API: {options.Companies} companies, each with a source project funded with {Funded:N0} {LicenseType} and {options.DevicesPerCompany} IP6000 devices in its default project, each device with a registered certificate key; {clients.Sum(c => c.Minted):N0} activation keys of 1–3 units minted by the vendor beforehand. {options.Clients} closed-loop HTTP clients, each owning its own devices of one company, cycle through five operations, 20 % each: **redeem** a key into the source project (`POST …/projects/{{pid}}/activations`, 201), **cross-project add** of 1 unit to a device drawn from the source project (`POST …/devices/{{mac}}/licenses` with `fromProjects`, 200), **move** a device's licenses to one of its empty devices (`POST …/licenses/move`, R-L5, 200), **return** a device's PBX licenses to the free pool with a signed invalidation (`POST …/devices/{{mac}}/invalidation`, R-V5, 200), **add from the free pool** the client's returned lots to a device (`POST …/licenses/from-free`, 200). An operation whose precondition the client's own model does not meet (no device holding licenses, no empty device, no lot in its pool) is skipped and counted. {options.WarmupSeconds} s warm-up, then {rows.Count} round(s) of {seconds} s. CPU is the node process's user + system time from `/proc` per successful operation; storage writes per operation from the node's `/metrics`; the audit is read after each round.");
        text.AppendLine();
        text.AppendLine("| round | ops/s | redeem | cross-project add | move | return | add from free | node CPU per op | node CPU (cores) | storage writes per op | errors | skipped | audit | load average |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in rows)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {r.Round} | {r.Result.Succeeded / r.Result.Seconds:F0} | {string.Join(" | ", Enum.GetValues<Kind>().Select(k => r.Result.PerSecond(k).ToString("F0", CultureInfo.InvariantCulture)))} | {r.CpuMsPerOperation:F2} ms | {r.Cores:F2} | {r.WritesPerOperation:F1} | {r.Result.Errors.Count} | {r.Result.SkippedCount} | {(r.Balanced ? "balanced" : "**NOT balanced**")} | {r.Load} |");
        }

        text.AppendLine();
        text.AppendLine("Latency per kind (all rounds together):");
        text.AppendLine();
        text.AppendLine("| operation | successful | p50 | p99 | max |");
        text.AppendLine("|---|---|---|---|---|");
        foreach (var kind in Enum.GetValues<Kind>())
        {
            var all = new LongHistogram(TimeSpan.TicksPerMinute, 3);
            foreach (var r in rows)
            {
                all.Add(r.Result.Latency[kind]);
            }

            text.AppendLine(CultureInfo.InvariantCulture, $"| {Label(kind)} | {rows.Sum(r => r.Result.SucceededOf(kind)):N0} | {CurveBenchmark.Ms(all, 50):F1} ms | {CurveBenchmark.Ms(all, 99):F1} ms | {CurveBenchmark.Max(all):F0} ms |");
        }

        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Median of the rounds: **{BenchmarkNode.Median(rows.Select(r => r.Result.Succeeded / r.Result.Seconds)):F0} operations/s**, node CPU **{BenchmarkNode.Median(rows.Select(r => r.CpuMsPerOperation)):F2} ms per operation**, {BenchmarkNode.Median(rows.Select(r => r.WritesPerOperation)):F1} storage writes per operation.");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Conservation checked by the tool: per company, the source balance, the free pool and every device read back against the tool's own account of the units it redeemed, drew, moved, returned and re-added, and their sum against the units that came in (funding + keys): {(differences.Count == 0 ? "no difference" : $"**{differences.Count} differences**: " + string.Join("; ", differences.Take(5)))}. Audit after the last round: {(finalAudit ? "balanced" : "**NOT balanced**")}. Errors over the whole run (warm-up included; unexpected answers, differences, unbalanced audits): {errors}; warm-up: {warmup.Succeeded} operations, {warmup.SkippedCount} skipped.");
        return text.ToString();
    }

    private sealed class Device(string mac, ECDsa key)
    {
        private long _sequence;

        public string Mac { get; } = mac;

        public ECDsa Key { get; } = key;

        /// <summary>The client's account of the PBX-Port8 units on the device.</summary>
        public int Units { get; set; }

        /// <summary>
        /// An invalidation of all its PBX licenses, signed with the device's certificate key by the
        /// rule of docs/license-files.md (the signature covers the document without its signature
        /// element); each carries the next sequence number, as a device's would.
        /// </summary>
        public string Invalidation()
        {
            var body = string.Create(CultureInfo.InvariantCulture, $"<invalidation mac=\"{Mac}\" sequence=\"{++_sequence}\" scope=\"allPbx\" consentNoDowngrade=\"false\"></invalidation>");
            var signature = Convert.ToBase64String(Key.SignData(Encoding.UTF8.GetBytes(body), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
            var end = body.LastIndexOf("</invalidation>", StringComparison.Ordinal);
            return $"{body[..end]}<signature algorithm=\"ECDSA-P256-SHA256\" keyId=\"device\">{signature}</signature>{body[end..]}";
        }
    }

    private sealed class Client(CurveBenchmark.Company company, List<Device> devices, Random random)
    {
        public CurveBenchmark.Company Company { get; } = company;

        public List<Device> Devices { get; } = devices;

        public Random Random { get; } = random;

        public Queue<(string Code, int Units)> Keys { get; } = new();

        /// <summary>The lots this client returned and has not re-added.</summary>
        public List<(string LotId, int Units)> Pool { get; } = [];

        public int Step { get; set; }

        public int Minted { get; set; }

        public int Redeemed { get; set; }

        public int Drawn { get; set; }
    }

    private sealed class RoundResult
    {
        private readonly ConcurrentDictionary<Kind, int> _succeeded = new();
        private readonly ConcurrentBag<string> _errors = [];
        private int _skipped;

        public Dictionary<Kind, LongHistogram> Latency { get; } = Enum.GetValues<Kind>().ToDictionary(k => k, _ => new LongHistogram(TimeSpan.TicksPerMinute, 3));

        public double Seconds { get; set; }

        public int Succeeded => _succeeded.Values.Sum();

        public int SkippedCount => _skipped;

        public IReadOnlyCollection<string> Errors => _errors;

        public int SucceededOf(Kind kind) => _succeeded.GetValueOrDefault(kind);

        public double PerSecond(Kind kind) => SucceededOf(kind) / Seconds;

        public void Record(Kind kind, string? outcome, long ticks)
        {
            if (outcome == Skipped)
            {
                Interlocked.Increment(ref _skipped);
                return;
            }

            if (outcome is not null)
            {
                _errors.Add(outcome);
                return;
            }

            _succeeded.AddOrUpdate(kind, 1, (_, n) => n + 1);
            var histogram = Latency[kind];
            lock (histogram)
            {
                histogram.RecordValue(Math.Clamp(ticks, 1, TimeSpan.TicksPerMinute - 1));
            }
        }
    }

    private sealed record Row(int Round, RoundResult Result, double CpuMsPerOperation, double Cores, double WritesPerOperation, bool Balanced, string Load);
}
