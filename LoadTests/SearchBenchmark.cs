using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace OrleansLicensing.LoadTests;

/// <summary>
/// R-Q1 from outside: the Release node as its own process (SQLite, full durability), one company
/// with 10,000 devices in 10 projects, each holding PBX-Port8 units, and 100 own keys; then
/// searches of every kind one after the other, timed as HTTP round trips.
/// </summary>
public static class SearchBenchmark
{
    public const string Heading = "## Search over 10,000 devices (R-Q1)";

    private const int Projects = 10;
    private const int OwnKeys = 100;
    private const int Warmup = 30;
    private const string LicenseType = "PBX-Port8";

    public static async Task<string> RunAsync(BenchmarkOptions options, string root)
    {
        var queries = options.Queries ?? Math.Max(100, options.Rounds * 60);
        var devices = options.SearchDevices;
        if (devices <= 0 || devices % 500 != 0)
        {
            throw new ArgumentException("--search-devices must be a positive multiple of 500 (the registration batch).");
        }

        await using var node = await ExternalNode.StartAsync(root, configuration: options.NodeConfiguration);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = new Uri(node.Url), Timeout = TimeSpan.FromSeconds(120) };
        var token = await BenchmarkNode.RegisterUserAsync(http);
        var setup = Stopwatch.StartNew();
        var (companyId, home) = await BenchmarkNode.CreateCompanyAsync(http, token, "Search load");
        var company = $"/api/v1/companies/{companyId}";
        var projects = new List<string> { home };
        for (var p = 1; p < Projects; p++)
        {
            var created = await BenchmarkNode.Json(await BenchmarkNode.Expect(
                BenchmarkNode.Send(http, HttpMethod.Post, $"{company}/projects", token, new { name = $"Site {p:00}", description = $"Branch office number {p} of the load test" }), HttpStatusCode.Created));
            projects.Add(created["projectId"]!.GetValue<string>());
        }

        foreach (var project in projects)
        {
            await BenchmarkNode.FundAsync(http, token, companyId, project, LicenseType, 250_000);
        }

        // Vendor registration in batches of 500, then 50 per add request (the API's limit), 8 at a time.
        var macs = new string[devices];
        await Parallel.ForEachAsync(Enumerable.Range(0, devices / 500), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (batch, _) =>
        {
            var registration = new { devices = Enumerable.Range(batch * 500, 500).Select(i => new { mac = (0x500000 + i).ToString("x6", CultureInfo.InvariantCulture), deviceType = "IP6000", orderNumber = "SEARCH", shipDate = "2026-01-01" }).ToArray() };
            var registered = await BenchmarkNode.Json(await BenchmarkNode.Expect(BenchmarkNode.Send(http, HttpMethod.Post, "/api/v1/vendor/hardware", BenchmarkNode.VendorKey, registration), HttpStatusCode.Created));
            var list = registered["devices"]!.AsArray();
            for (var i = 0; i < list.Count; i++)
            {
                macs[(batch * 500) + i] = list[i]!["mac"]!.GetValue<string>();
            }
        });
        var registered = setup.Elapsed;

        await Parallel.ForEachAsync(Enumerable.Range(0, devices / 50), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (batch, _) =>
        {
            var project = projects[batch % Projects];
            await BenchmarkNode.Expect(BenchmarkNode.Send(http, HttpMethod.Post, $"{company}/projects/{project}/devices", token, new { macs = macs.Skip(batch * 50).Take(50).ToArray() }), HttpStatusCode.OK);
        });
        var added = setup.Elapsed;

        // Device i holds 1..200 units: about a quarter hold at least 150.
        await Parallel.ForEachAsync(Enumerable.Range(0, devices), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, _) =>
            await BenchmarkNode.Expect(BenchmarkNode.Send(http, HttpMethod.Post, $"{company}/devices/{macs[i]}/licenses", token,
                new { version = "V13", licenses = new Dictionary<string, int> { [LicenseType] = 1 + (i * 37 % 200) } }), HttpStatusCode.OK));
        var bound = setup.Elapsed;

        var keys = new string[OwnKeys];
        await Parallel.ForEachAsync(Enumerable.Range(0, OwnKeys), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
        {
            var created = await BenchmarkNode.Json(await BenchmarkNode.Expect(BenchmarkNode.Send(http, HttpMethod.Post, $"{company}/projects/{home}/own-keys", token,
                new { licenses = new Dictionary<string, int> { [LicenseType] = 1 }, comment = $"Customer {i:000} framework order" }), HttpStatusCode.Created));
            keys[i] = created["key"]!.GetValue<string>();
        });
        setup.Stop();
        Console.WriteLine($"seeded in {setup.Elapsed.TotalSeconds:F0} s: registered {registered.TotalSeconds:F0} s, added {(added - registered).TotalSeconds:F0} s, bound {(bound - added).TotalSeconds:F0} s, own keys {(setup.Elapsed - bound).TotalSeconds:F0} s");

        // Every device is found by its MAC, and by its amount: the index is complete before timing starts.
        var check = new QueryLatencies();
        foreach (var i in Enumerable.Range(0, 50).Select(n => n * (devices / 50)))
        {
            var found = JsonNode.Parse(await check.GetAsync(http, $"{company}/search?q={macs[i]}", token))!["devices"]!.AsArray();
            if (found.Count != 1 || found[0]!["licenses"]![LicenseType]!.GetValue<int>() != 1 + (i * 37 % 200))
            {
                throw new InvalidOperationException($"The index does not hold {macs[i]} as bound: {found.ToJsonString()}");
            }
        }

        var twoHundred = Enumerable.Range(0, devices).Count(i => 1 + (i * 37 % 200) == 200);
        var random = new Random(42);
        var kinds = new (string Label, Func<string> Query, Func<JsonNode, bool> Expected)[]
        {
            ("device by full MAC `00-90-33-xx-xx-xx`", () => macs[random.Next(devices)], r => r["devices"]!.AsArray().Count == 1),
            ("device by MAC with colons, upper case", () => macs[random.Next(devices)].Replace('-', ':').ToUpperInvariant(), r => r["devices"]!.AsArray().Count == 1),
            ("device by 6-digit MAC suffix", () => macs[random.Next(devices)][9..].Replace("-", string.Empty, StringComparison.Ordinal), r => r["devices"]!.AsArray().Count >= 1),
            ("license type `PBX-Port8` (every device matches; 50 returned)", () => LicenseType, r => r["truncated"]!.GetValue<bool>()),
            ("license type amount `PBX-Port8=150`", () => $"{LicenseType}=150", r => r["truncated"]!.GetValue<bool>()),
            ("license type amount `PBX-Port8=200` (one in 200 devices)", () => $"{LicenseType}=200", r => r["devices"]!.AsArray().Count == twoHundred),
            ("no hit (`zzzq`: every entry examined)", () => "zzzq", r => r["devices"]!.AsArray().Count == 0),
            ("project by name or description", () => $"Site {random.Next(1, Projects):00}", r => r["projects"]!.AsArray().Count == 1),
            ("own key by comment", () => $"Customer {random.Next(OwnKeys):000}", r => r["keys"]!.AsArray().Count == 1),
            ("own key by 6 characters of its code", () => keys[random.Next(OwnKeys)].Replace("-", string.Empty, StringComparison.Ordinal)[3..9], r => r["keys"]!.AsArray().Count >= 1),
        };

        var rows = new List<string>();
        var loadBefore = QueryLatencies.LoadAverage();
        foreach (var (label, query, expected) in kinds)
        {
            var latencies = new QueryLatencies();
            for (var n = 0; n < Warmup + queries; n++)
            {
                var target = n < Warmup ? new QueryLatencies() : latencies;
                var body = JsonNode.Parse(await target.GetAsync(http, $"{company}/search?q={Uri.EscapeDataString(query())}", token))!;
                if (!expected(body))
                {
                    throw new InvalidOperationException($"{label}: unexpected answer {body.ToJsonString()[..Math.Min(300, body.ToJsonString().Length)]}");
                }
            }

            Console.WriteLine(latencies.Row(label));
            rows.Add(latencies.Row(label));
        }

        var loadAfter = QueryLatencies.LoadAverage();
        var text = new StringBuilder();
        text.AppendLine(Heading);
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Command: `dotnet build -c Release Silo && dotnet run -c Release --project LoadTests -- --only search --rounds {options.Rounds}{(devices == 10_000 ? string.Empty : $" --search-devices {devices}")}{(options.Queries is { } q ? $" --queries {q}" : string.Empty)}`. The node is the {options.NodeConfiguration} silo binary as its own process with its production configuration (SQLite, full durability), as for the curve above. Seeded through the HTTP API: one company, {Projects} projects, {devices:N0} IP6000 devices ({devices / Projects:N0} per project) each bound 1–200 units of {LicenseType}, {OwnKeys} own keys with comments — {setup.Elapsed.TotalSeconds:F0} s (registration {registered.TotalSeconds:F0} s, adding {(added - registered).TotalSeconds:F0} s, binding {(bound - added).TotalSeconds:F0} s at 32 concurrent requests). Then per kind {Warmup} warm-up searches and {queries} timed ones, one at a time from the LoadTests process (HTTP round trip: authentication, membership check, the index grain's scan, JSON). Each answer is checked (hit counts; the index held all {devices:N0} devices with their bound units before timing). Machine load average (1 min, 2 cores shared with other work) before / after the timed searches: {loadBefore} / {loadAfter}.");
        text.AppendLine();
        text.AppendLine("| search | queries | p50 | p99 | max |");
        text.AppendLine("|---|---|---|---|---|");
        foreach (var row in rows)
        {
            text.AppendLine(row);
        }

        text.AppendLine();
        text.AppendLine("The index is one grain per company holding its entries in memory (docs/history.md); a search scans all of them, so a query without hits costs as much as one with many. Its cost per change is one one-way message and one read of the changed item, no storage write.");
        return text.ToString();
    }
}
