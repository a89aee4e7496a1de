using System.Globalization;
using System.Net;
using System.Text;

namespace OrleansLicensing.LoadTests;

/// <summary>
/// Seeds a single node with devices that hold licenses, then compares the device poll with a
/// plain Kestrel endpoint returning the same bytes (SPEC §6: at least 60 %), and measures the
/// poll's latency at half its saturation rate (target p99 &lt; 10 ms).
/// </summary>
public static class PollBenchmark
{
        public static async Task<string> RunAsync(BenchmarkOptions options)
    {
        var duration = TimeSpan.FromSeconds(options.Seconds);
        var node = await BenchmarkNode.StartAsync("Memory", dataDirectory: null);
        var nodeUrl = node.Urls.Single();
        using var setup = new HttpClient();
        setup.BaseAddress = new Uri(nodeUrl);
        Console.WriteLine($"seeding {options.Devices} devices on {nodeUrl} ...");
        var devices = await SeedAsync(setup, options.Devices);

        var sample = await PollOnceAsync(setup, devices[0]);
        var baseline = await StartBaselineAsync(sample.Body, sample.ETag);
        var baselineUrl = baseline.Urls.Single() + "/constant";
        Console.WriteLine($"poll body {sample.Body.Length} bytes; baseline on {baselineUrl}");

        var nodeUri = new Uri(nodeUrl);
        var nodeEndpoint = new IPEndPoint(IPAddress.Loopback, nodeUri.Port);
        var baselineUri = new Uri(baselineUrl);
        var baselineEndpoint = new IPEndPoint(IPAddress.Loopback, baselineUri.Port);
        var polls = devices.Select(d => RawHttpConnection.Get(nodeUri, "/api/v1/device/license", ("X-Device-Mac", d.Mac), ("X-Device-Secret", d.Secret))).ToArray();
        var constant = RawHttpConnection.Get(baselineUri, baselineUri.AbsolutePath);
        byte[] Poll(int i) => polls[i % polls.Length];
        byte[] Constant(int i) => constant;

        // Warm both servers (JIT, connection pools, grain activations for every device).
        for (var warmup = 0; warmup < 2; warmup++)
        {
            await LoadGenerator.ClosedLoopAsync(baselineEndpoint, Constant, options.Concurrency, TimeSpan.FromSeconds(4));
            await LoadGenerator.ClosedLoopAsync(nodeEndpoint, Poll, options.Concurrency, TimeSpan.FromSeconds(4));
        }

        var rounds = new List<(LoadResult Baseline, LoadResult Poll)>();
        for (var round = 1; round <= options.Rounds; round++)
        {
            var plain = await LoadGenerator.ClosedLoopAsync(baselineEndpoint, Constant, options.Concurrency, duration);
            var poll = await LoadGenerator.ClosedLoopAsync(nodeEndpoint, Poll, options.Concurrency, duration);
            Console.WriteLine($"round {round}: kestrel {plain.RequestsPerSecond:F0}/s, poll {poll.RequestsPerSecond:F0}/s");
            rounds.Add((plain, poll));
        }

        var medianBaseline = BenchmarkNode.Median(rounds.Select(r => r.Baseline.RequestsPerSecond));
        var medianPoll = BenchmarkNode.Median(rounds.Select(r => r.Poll.RequestsPerSecond));
        var halfRate = medianPoll / 2;
        var paced = new List<LoadResult>();
        for (var round = 1; round <= 3; round++)
        {
            var result = await LoadGenerator.OpenLoopAsync(nodeEndpoint, Poll, halfRate, options.Concurrency, duration);
            Console.WriteLine($"open loop {round} at {halfRate:F0}/s: p50 {result.PercentileMs(50):F2} ms, p99 {result.PercentileMs(99):F2} ms");
            paced.Add(result);
        }


        await baseline.StopAsync();
        await node.StopAsync();
        await baseline.DisposeAsync();
        await node.DisposeAsync();
        return Report(options, sample.Body.Length, rounds, medianBaseline, medianPoll, halfRate, paced);
    }

    private static async Task<WebApplication> StartBaselineAsync(byte[] body, string etag)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production", ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{BenchmarkNode.FreePort()}");
        var app = builder.Build();
        app.MapGet("/constant", async context =>
        {
            context.Response.ContentType = "application/json";
            context.Response.Headers.ETag = etag;
            context.Response.ContentLength = body.Length;
            await context.Response.Body.WriteAsync(body);
        });
        await app.StartAsync();
        return app;
    }

    /// <summary>One company and project; devices registered, added and each given licenses.</summary>
    private static async Task<List<(string Mac, string Secret)>> SeedAsync(HttpClient http, int count)
    {
        var token = await BenchmarkNode.RegisterUserAsync(http);
        var (companyId, projectId) = await BenchmarkNode.CreateCompanyAsync(http, token, "Load");
        await BenchmarkNode.FundAsync(http, token, companyId, projectId, "PBX-Port8*20", count);
        var devices = await BenchmarkNode.AddDevicesAsync(http, token, companyId, projectId, 0x100000, count);
        await Parallel.ForEachAsync(devices, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (device, _) =>
            await BenchmarkNode.Expect(BenchmarkNode.Send(http, HttpMethod.Post, $"/api/v1/companies/{companyId}/devices/{device.Mac}/licenses", token, new { version = "V13", licenses = new Dictionary<string, int> { ["PBX-Port8*20"] = 1 } }), HttpStatusCode.OK));
        return devices;
    }

    private static async Task<(byte[] Body, string ETag)> PollOnceAsync(HttpClient http, (string Mac, string Secret) device)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/device/license");
        request.Headers.Add("X-Device-Mac", device.Mac);
        request.Headers.Add("X-Device-Secret", device.Secret);
        var response = await BenchmarkNode.Expect(http.SendAsync(request), HttpStatusCode.OK);
        return (await response.Content.ReadAsByteArrayAsync(), response.Headers.ETag!.Tag);
    }

    private static string Report(BenchmarkOptions options, int bodyBytes, List<(LoadResult Baseline, LoadResult Poll)> rounds, double baseline, double poll, double halfRate, List<LoadResult> paced)
    {
        var text = new StringBuilder();
        text.AppendLine("# Benchmarks");
        text.AppendLine();
        text.AppendLine("Written by `LoadTests/` — do not edit by hand. Load generator, node and baseline share one");
        text.AppendLine("process and the machine's cores, so compare the ratio, not the absolute numbers.");
        text.AppendLine();
        text.AppendLine("## Device poll hot path (SPEC §6, R-C3)");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Command: `dotnet run -c Release --project LoadTests -- --seconds {options.Seconds} --rounds {options.Rounds} --concurrency {options.Concurrency} --devices {options.Devices}`");
        text.AppendLine(CultureInfo.InvariantCulture, $"Measured: {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}.");
        text.AppendLine(CultureInfo.InvariantCulture, $"Setup: single node (in-memory storage; the poll path reads no storage), {options.Devices} devices each holding a license lot, polls spread over all devices without `If-None-Match` (full {bodyBytes}-byte answers); baseline: plain Kestrel returning the same {bodyBytes} bytes. HTTP/1.1 keep-alive over {options.Concurrency} raw-socket connections (pre-encoded requests; the generator parses only status and Content-Length), {options.Seconds} s per measurement, after warm-up.");
        text.AppendLine();
        text.AppendLine("| round | plain Kestrel req/s | device poll req/s | ratio | poll p99 (closed loop) |");
        text.AppendLine("|---|---|---|---|---|");
        for (var i = 0; i < rounds.Count; i++)
        {
            var (b, p) = rounds[i];
            text.AppendLine(CultureInfo.InvariantCulture, $"| {i + 1} | {b.RequestsPerSecond:F0} | {p.RequestsPerSecond:F0} | {p.RequestsPerSecond / b.RequestsPerSecond:P0} | {p.PercentileMs(99):F2} ms |");
        }

        var ratio = BenchmarkNode.Median(rounds.Select(r => r.Poll.RequestsPerSecond / r.Baseline.RequestsPerSecond));
        text.AppendLine(CultureInfo.InvariantCulture, $"| **median** | **{baseline:F0}** | **{poll:F0}** | **{ratio:P0}** (median of the rounds' ratios; target ≥ 60 %) | |");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"At half the poll saturation rate ({halfRate:F0} req/s, open loop over {options.Concurrency} connections, latency from the scheduled start, {options.Seconds} s per round):");
        text.AppendLine();
        text.AppendLine("| round | p50 | p99 | p99.9 | failed |");
        text.AppendLine("|---|---|---|---|---|");
        for (var i = 0; i < paced.Count; i++)
        {
            var p = paced[i];
            text.AppendLine(CultureInfo.InvariantCulture, $"| {i + 1} | {p.PercentileMs(50):F2} ms | {p.PercentileMs(99):F2} ms | {p.PercentileMs(99.9):F2} ms | {p.Failures} of {p.Requests} |");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"| **median** | **{BenchmarkNode.Median(paced.Select(p => p.PercentileMs(50))):F2} ms** | **{BenchmarkNode.Median(paced.Select(p => p.PercentileMs(99))):F2} ms** (target < 10 ms) | **{BenchmarkNode.Median(paced.Select(p => p.PercentileMs(99.9))):F2} ms** | |");
        return text.ToString();
    }
}
