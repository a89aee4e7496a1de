using System.Globalization;
using System.Net;
using System.Text;

namespace OrleansLicensing.LoadTests;

/// <summary>
/// Issue 14, memory per device: seeds N devices holding one lot each on the Release node (its own
/// process, SQLite), restarts the node on the same data (no device in memory), reads its memory,
/// polls every device once (each poll activates the device's grains), waits for the garbage
/// collector, and reads it again. The difference divided by N is what an activated device costs,
/// everything it brings into memory included (its grains, their state, the activation's
/// bookkeeping). Also reports <c>Orleans:DeviceCollectionAge</c>, which decides how long an idle
/// device keeps that memory.
/// </summary>
public static class MemoryBenchmark
{
    public const string Heading = "## Memory per activated device (issue 14)";

    public static async Task<string> RunAsync(BenchmarkOptions options, string root)
    {
        var count = options.Devices;
        string data;
        List<(string Mac, string Secret)> devices;
        var seeding = System.Diagnostics.Stopwatch.StartNew();
        await using (var seeded = await ExternalNode.StartAsync(root, configuration: options.NodeConfiguration))
        {
            using var http = Client(seeded.Url);
            var email = await BenchmarkNode.RegisterAccountAsync(http);
            var token = await BenchmarkNode.LoginAsync(http, email);
            var (companyId, projectId) = await BenchmarkNode.CreateCompanyAsync(http, token, "Memory");
            await BenchmarkNode.FundAsync(http, token, companyId, projectId, "PBX-Port8*20", count);
            devices = await BenchmarkNode.AddDevicesAsync(http, token, companyId, projectId, 0x700000, count);
            Console.WriteLine($"memory: {count} devices registered and in the project after {seeding.Elapsed.TotalSeconds:F0} s; binding one lot each");

            // Access tokens live 15 minutes: a long seeding signs in again for every 5,000 devices.
            foreach (var part in devices.Chunk(5_000))
            {
                token = await BenchmarkNode.LoginAsync(http, email);
                await Parallel.ForEachAsync(part, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (device, _) =>
                    await BenchmarkNode.Expect(BenchmarkNode.Send(http, HttpMethod.Post, $"/api/v1/companies/{companyId}/devices/{device.Mac}/licenses", token, new { version = "V13", licenses = new Dictionary<string, int> { ["PBX-Port8*20"] = 1 } }), HttpStatusCode.OK));
            }
            data = Path.Combine(seeded.DataDirectory, "data");
            Console.WriteLine($"memory: seeded in {seeding.Elapsed.TotalSeconds:F0} s");
        }

        await using var node = await ExternalNode.StartAsync(root, new Dictionary<string, string> { ["Storage:DataDirectory"] = data }, options.NodeConfiguration);
        using var client = Client(node.Url);
        await PollAsync(client, devices.Take(100).ToList());
        var before = await ReadAsync(client, node.ProcessId, options.GcWaitSeconds);
        var polling = System.Diagnostics.Stopwatch.StartNew();
        await PollAsync(client, devices);
        var pollSeconds = polling.Elapsed.TotalSeconds;
        var after = await ReadAsync(client, node.ProcessId, options.GcWaitSeconds);
        var perDeviceHeap = (after.Heap - before.Heap) / count;
        var perDeviceRss = (after.Rss - before.Rss) / count;
        Console.WriteLine($"memory: heap {before.Heap / 1e6:F0} → {after.Heap / 1e6:F0} MB, RSS {before.Rss / 1e6:F0} → {after.Rss / 1e6:F0} MB, activations {before.Activations:F0} → {after.Activations:F0}; per device {perDeviceHeap:F0} B heap, {perDeviceRss:F0} B RSS");

        var text = new StringBuilder();
        text.AppendLine(Heading);
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Command: `dotnet build -c Release Silo && dotnet run -c Release --project LoadTests -- --only memory --devices {count}` ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores). {count:N0} devices (IP6000), each in one project and holding one PBX-Port8 lot, seeded through the API on the {options.NodeConfiguration} node (SQLite, production configuration); then the node restarted on the same data, so no device is in memory, 100 devices polled to warm the process, memory read, every device polled once ({pollSeconds:F0} s; a poll activates the device's grains), memory read again after the collector's next full collection. Heap is the managed heap after the last collection (`dotnet_gc_last_collection_heap_size_bytes`), RSS the process's resident memory (`/proc`), activations Orleans' own count (`orleans_catalog_activations`).");
        text.AppendLine();
        text.AppendLine("| | managed heap | RSS | grain activations |");
        text.AppendLine("|---|---|---|---|");
        text.AppendLine(CultureInfo.InvariantCulture, $"| before the polls | {before.Heap / 1e6:F1} MB | {before.Rss / 1e6:F1} MB | {before.Activations:F0} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| after {count:N0} devices polled | {after.Heap / 1e6:F1} MB | {after.Rss / 1e6:F1} MB | {after.Activations:F0} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| **per activated device** | **{perDeviceHeap / 1024:F1} KiB** | **{perDeviceRss / 1024:F1} KiB** | {(after.Activations - before.Activations) / count:F1} grains |");
        text.AppendLine();
        text.AppendLine("An idle device leaves memory after `Orleans:DeviceCollectionAge` (30 min by default, D105); a device that polls more often stays and is answered from memory. Under memory pressure Orleans deactivates the least recently used grains first (`Orleans:ShedActivationsOnMemoryPressure`).");
        return text.ToString();
    }

    private static HttpClient Client(string url) => new(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(120) };

    private static async Task PollAsync(HttpClient http, List<(string Mac, string Secret)> devices) =>
        await Parallel.ForEachAsync(devices, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (device, _) =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/device/license");
            request.Headers.Add("X-Device-Mac", device.Mac);
            request.Headers.Add("X-Device-Secret", device.Secret);
            using var response = await BenchmarkNode.Expect(http.SendAsync(request), HttpStatusCode.OK);
        });

    /// <summary>Waits until a full (gen 2) collection ran after now, then reads heap, RSS and activations.</summary>
    private static async Task<(double Heap, double Rss, double Activations)> ReadAsync(HttpClient http, int processId, int gcWaitSeconds)
    {
        var gen2 = await ExternalNode.ScrapeAsync(http, "dotnet_gc_collections_total", "gc_heap_generation=\"gen2\"");
        for (var i = 0; i < gcWaitSeconds && await ExternalNode.ScrapeAsync(http, "dotnet_gc_collections_total", "gc_heap_generation=\"gen2\"") <= gen2; i++)
        {
            // Allocation by the scrapes themselves and the node's own timers brings the next collection.
            await Task.Delay(1000);
        }

        var heap = await ExternalNode.ScrapeAsync(http, "dotnet_gc_last_collection_heap_size_bytes");
        var activations = await ExternalNode.ScrapeAsync(http, "orleans_catalog_activations");
        var status = await File.ReadAllLinesAsync($"/proc/{processId}/status");
        var rss = double.Parse(status.First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        return (heap, rss, activations);
    }
}
