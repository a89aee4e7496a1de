using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrleansLicensing.Contracts;
using OrleansLicensing.Silo;

namespace OrleansLicensing.LoadTests;

/// <summary>
/// R-Q2 from outside: the Release node as its own process (SQLite, full durability) and a company
/// whose log holds 100,000 events over two years (20 users, 10,000 devices, 10 projects); then
/// history reads over HTTP: first pages per context and period, and paging through all of it.
/// </summary>
public static class HistoryBenchmark
{
    public const string Heading = "## History of a company with 100,000 events (R-Q2)";

    private const int AppendBatch = 1_000;
    private const int Users = 20;
    private const int Projects = 10;
    private const int Warmup = 20;

    public static async Task<string> RunAsync(BenchmarkOptions options, string root)
    {
        var reads = options.Queries ?? Math.Max(100, options.Rounds * 40);
        var events = options.HistoryEvents;
        if (events < 1_000 || events % 1_000 != 0)
        {
            throw new ArgumentException("--history-events must be a multiple of 1,000 (the append batch).");
        }

        // The documented run: 10,000 devices with 10 events each, 1,000 project edits; a smaller log scales both down.
        var macs = Math.Min(10_000, events / 10);
        var edits = Math.Min(1_000, events / 100);
        var gatewayPort = BenchmarkNode.FreePort();
        await using var node = await ExternalNode.StartAsync(root, new Dictionary<string, string> { ["Orleans:GatewayPort"] = gatewayPort.ToString(CultureInfo.InvariantCulture) }, options.NodeConfiguration);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = new Uri(node.Url), Timeout = TimeSpan.FromSeconds(120) };
        var token = await BenchmarkNode.RegisterUserAsync(http);
        var (companyId, home) = await BenchmarkNode.CreateCompanyAsync(http, token, "History load");
        var company = $"/api/v1/companies/{companyId}";

        // The write path through the API: project edits, each recording one event, 16 at a time.
        var writes = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, edits), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) =>
            await BenchmarkNode.Expect(BenchmarkNode.Send(http, HttpMethod.Patch, $"{company}/projects/{home}", token, new { description = $"edit {i}" }), HttpStatusCode.OK));
        writes.Stop();
        Console.WriteLine($"{edits} project edits through the API: {edits / writes.Elapsed.TotalSeconds:F0}/s");

        // The bulk of the log goes straight to its head grain, 1,000 events an append, through an
        // Orleans client on the node's gateway port: what a stream of batched changes records.
        using var client = Host.CreateDefaultBuilder()
            .UseOrleansClient(c => c.UseLocalhostClustering(gatewayPort, new SiloSettings().ServiceId, new SiloSettings().ClusterId))
            .Build();
        await client.StartAsync();
        var log = client.Services.GetRequiredService<IClusterClient>().GetGrain<IHistoryLogGrain>(companyId);
        var now = DateTimeOffset.UtcNow;
        var first = now.AddDays(-730);
        var step = TimeSpan.FromTicks((now - first).Ticks / events);
        var projectIds = Enumerable.Range(0, Projects).Select(p => $"proj{p:000000000000}").ToArray();
        string[] actions = [HistoryActions.LicensesAdded, HistoryActions.DeviceAdded, HistoryActions.ProjectUpdated, HistoryActions.KeyRedeemed, HistoryActions.LicensesMovedOut];
        var seed = Stopwatch.StartNew();
        for (var start = 0; start < events; start += AppendBatch)
        {
            await log.AppendAsync([.. Enumerable.Range(start, AppendBatch).Select(i => new HistoryEvent(
                $"bench-{i}", first + (step * i), companyId, projectIds[i % Projects], $"user-{i % Users}@example.com", Mac.FromSuffix(0x600000 + (i % macs)).ToString(),
                actions[i % actions.Length], ImmutableSortedDictionary<string, string>.Empty.Add("licenses", $"PBX-Port8={1 + (i % 50)}")))]);
        }

        seed.Stop();
        Console.WriteLine($"appended {events:N0} events in {seed.Elapsed.TotalSeconds:F1} s");

        var rows = new List<string>();
        var loadBefore = QueryLatencies.LoadAverage();
        async Task FirstPagesAsync(string label, string query, int expectedMin)
        {
            var latencies = new QueryLatencies();
            for (var n = 0; n < Warmup + reads; n++)
            {
                var body = JsonNode.Parse(await (n < Warmup ? new QueryLatencies() : latencies).GetAsync(http, $"{company}/history?{query}", token))!;
                if (body["events"]!.AsArray().Count < expectedMin)
                {
                    throw new InvalidOperationException($"{label}: only {body["events"]!.AsArray().Count} events");
                }
            }

            Console.WriteLine(latencies.Row(label));
            rows.Add(latencies.Row(label, " 1 |"));
        }

        await FirstPagesAsync("company, always, first page of 50", "limit=50", Math.Min(50, events));
        await FirstPagesAsync("company, always, first page of 500", "limit=500", 500);
        await FirstPagesAsync("company, last day, first page of 50", "period=day&limit=50", Math.Min(50, events / 730));
        await FirstPagesAsync("one user of 20, always, first page of 50", "context=user&user=user-7@example.com&limit=50", Math.Min(50, events / Users));
        await FirstPagesAsync("one project of 10, last month, first page of 50", $"project={projectIds[3]}&period=month&limit=50", Math.Min(50, events / Projects / 25));

        // Paging through: the whole log (500 a page), and one device's ten events (a scan of the whole log).
        async Task<(QueryLatencies Pages, int Seen)> WalkAsync(string query)
        {
            var pages = new QueryLatencies();
            var seen = 0;
            string? cursor = null;
            do
            {
                var body = JsonNode.Parse(await pages.GetAsync(http, $"{company}/history?{query}{(cursor is null ? string.Empty : "&cursor=" + Uri.EscapeDataString(cursor))}", token))!;
                seen += body["events"]!.AsArray().Count;
                cursor = body["nextCursor"]?.GetValue<string>();
            }
            while (cursor is not null);
            return (pages, seen);
        }

        var walkTotals = new List<double>();
        QueryLatencies? lastWalk = null;
        for (var round = 0; round < 3; round++)
        {
            var (pages, seen) = await WalkAsync("limit=500");
            if (seen < events)
            {
                throw new InvalidOperationException($"paging saw {seen} events");
            }

            walkTotals.Add(pages.Total);
            lastWalk = pages;
            Console.WriteLine($"walk {round + 1}: {pages.Count} pages, {seen} events, {pages.Total / 1000:F1} s");
        }

        rows.Add(lastWalk!.Row("company, always, every page of 500 (deep paging, last of 3 walks)", $" {lastWalk.Count} |"));
        var deviceWalks = new QueryLatencies();
        var devicePages = new List<int>();
        for (var d = 0; d < 10; d++)
        {
            var mac = Mac.FromSuffix(0x600000 + (d * 997 % macs)).ToString();
            var (pages, seen) = await WalkAsync($"context=device&mac={mac}&limit=50");
            if (seen != events / macs)
            {
                throw new InvalidOperationException($"{mac}: {seen} events");
            }

            devicePages.Add(pages.Count);
            Console.WriteLine($"device {mac}: {pages.Count} pages, {pages.Total:F0} ms");
            deviceWalks.Add(pages.Total);
        }

        var loadAfter = QueryLatencies.LoadAverage();
        var text = new StringBuilder();
        text.AppendLine(Heading);
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Command: `dotnet build -c Release Silo && dotnet run -c Release --project LoadTests -- --only history --rounds {options.Rounds}{(events == 100_000 ? string.Empty : $" --history-events {events}")}`. The node is the {options.NodeConfiguration} silo binary as its own process with its production configuration (SQLite, full durability). One company created through the API; {events:N0} events over the last two years (20 users, {macs:N0} devices, 10 projects, small details) appended to its log {AppendBatch:N0} at a time through an Orleans client on the node's gateway port ({seed.Elapsed.TotalSeconds:F1} s, {(events + HistoryOrleansChunk - 1) / HistoryOrleansChunk} chunks), plus the {edits:N0} events of the write test below. Reads are HTTP round trips one at a time from the LoadTests process; first pages: {Warmup} warm-up reads, then {reads} timed. Machine load average (1 min, 2 cores shared with other work) before / after the reads: {loadBefore} / {loadAfter}.");
        text.AppendLine();
        text.AppendLine("| read | reads | p50 | p99 | max | pages |");
        text.AppendLine("|---|---|---|---|---|---|");
        foreach (var row in rows)
        {
            text.AppendLine(row);
        }

        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Paging through all {events:N0} events at 500 a page took {walkTotals.Min() / 1000:F1}–{walkTotals.Max() / 1000:F1} s per walk (3 walks). One device's 10 events (`context=device`, a filter every chunk of the log must be scanned for; a read examines at most {OrleansLicensing.Grains.Grains.HistoryLogGrain.MaxChunksPerRead} chunks and hands back a cursor): {devicePages.Min()}–{devicePages.Max()} pages per device, whole walk p50 {deviceWalks.Percentile(50):F0} ms, max {deviceWalks.Max:F0} ms over 10 devices.");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Write path: {edits:N0} project edits through the API, 16 at a time, each recording one event in the same company's log: {edits / writes.Elapsed.TotalSeconds:F0} edits/s. One company's appends go through its log head, which writes appends arriving together as one chunk write (group commit); see docs/history.md.");
        return text.ToString();
    }

    private const int HistoryOrleansChunk = OrleansLicensing.Grains.Grains.HistoryLogGrain.ChunkSize;
}
