using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;

namespace OrleansLicensing.LoadTests;

/// <summary>
/// R-D1 from outside: the Release node as its own process (SQLite, full durability). The vendor
/// registers 10,000 devices of one order in batches of 1,000 (the route's limit), then a company
/// adds the whole order to a project with one request (<c>{orderNumber}</c>), which answers a
/// result per device. Both are timed as HTTP round trips; the project's device list is checked.
/// </summary>
public static class OrderBenchmark
{
    public const string Heading = "## Registering and adding an order of 10,000 devices (R-D1)";

    private const int RegistrationBatchLimit = 1_000;

    public static async Task<string> RunAsync(BenchmarkOptions options, string root)
    {
        var devices = options.OrderDevices;
        var registrationBatch = Math.Min(RegistrationBatchLimit, devices);
        if (devices <= 0 || devices % registrationBatch != 0)
        {
            throw new ArgumentException("--order-devices must be at most 1,000 or a multiple of 1,000 (the registration batch).");
        }

        await using var node = await ExternalNode.StartAsync(root, configuration: options.NodeConfiguration);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 16 }) { BaseAddress = new Uri(node.Url), Timeout = TimeSpan.FromMinutes(10) };
        var token = await BenchmarkNode.RegisterUserAsync(http);
        var (companyId, project) = await BenchmarkNode.CreateCompanyAsync(http, token, "Distributor");
        var order = "SO-BENCH-" + Guid.NewGuid().ToString("N")[..8];

        // The vendor's registration, one batch after the other, as a shipment system would send it.
        var registration = Stopwatch.StartNew();
        for (var batch = 0; batch < devices / registrationBatch; batch++)
        {
            var body = new
            {
                devices = Enumerable.Range(batch * registrationBatch, registrationBatch)
                    .Select(i => new { mac = (0x700000 + i).ToString("x6", CultureInfo.InvariantCulture), deviceType = "IP6000", orderNumber = order, shipDate = "2026-11-01" })
                    .ToArray(),
            };
            await BenchmarkNode.Expect(BenchmarkNode.Send(http, HttpMethod.Post, "/api/v1/vendor/hardware", BenchmarkNode.VendorKey, body), HttpStatusCode.Created);
        }

        registration.Stop();
        Console.WriteLine($"registered {devices:N0} devices in {registration.Elapsed.TotalSeconds:F1} s");

        var adding = Stopwatch.StartNew();
        var added = await BenchmarkNode.Json(await BenchmarkNode.Expect(
            BenchmarkNode.Send(http, HttpMethod.Post, $"/api/v1/companies/{companyId}/projects/{project}/devices", token, new { orderNumber = order }), HttpStatusCode.OK));
        adding.Stop();
        var results = added["results"]!.AsArray();
        var addedCount = results.Count(r => r!["status"]!.GetValue<string>() == "added");
        if (addedCount != devices)
        {
            throw new InvalidOperationException($"{addedCount} of {devices} devices were added");
        }

        var listed = (await BenchmarkNode.Json(await BenchmarkNode.Expect(
            BenchmarkNode.Send(http, HttpMethod.Get, $"/api/v1/companies/{companyId}/projects/{project}/devices", token, null), HttpStatusCode.OK))).AsArray().Count;
        if (listed != devices)
        {
            throw new InvalidOperationException($"the project lists {listed} of {devices} devices");
        }

        Console.WriteLine($"added the order ({devices:N0} devices) in {adding.Elapsed.TotalSeconds:F1} s");

        // The vendor's order listing (JSON) over the same 10,000 devices.
        var listing = Stopwatch.StartNew();
        var orderDevices = (await BenchmarkNode.Json(await BenchmarkNode.Expect(
            BenchmarkNode.Send(http, HttpMethod.Get, $"/api/v1/vendor/orders/{order}/devices", BenchmarkNode.VendorKey, null), HttpStatusCode.OK))).AsArray().Count;
        listing.Stop();
        if (orderDevices != devices)
        {
            throw new InvalidOperationException($"the order lists {orderDevices} of {devices} devices");
        }

        var text = new StringBuilder();
        text.AppendLine(Heading);
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Command: `dotnet build -c Release Silo && dotnet run -c Release --project LoadTests -- --only orders{(devices == 10_000 ? string.Empty : $" --order-devices {devices}")} --out docs/benchmarks.md`. The node is the {options.NodeConfiguration} silo binary as its own process with its production configuration (SQLite, full durability); requests come from the LoadTests process, one at a time. Machine: 2 cores shared with other work (load average, 1 min, at the end of the run: {QueryLatencies.LoadAverage()}).");
        text.AppendLine();
        text.AppendLine("| step | devices | time | per device |");
        text.AppendLine("|---|---|---|---|");
        text.AppendLine(CultureInfo.InvariantCulture, $"| vendor registration, `POST /api/v1/vendor/hardware`, {devices / registrationBatch} batches of {registrationBatch:N0} one after the other | {devices:N0} | {registration.Elapsed.TotalSeconds:F1} s | {registration.Elapsed.TotalMilliseconds / devices:F2} ms |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| add the whole order to a project, one `POST …/projects/{{pid}}/devices` `{{orderNumber}}` (a result per device) | {devices:N0} | {adding.Elapsed.TotalSeconds:F1} s | {adding.Elapsed.TotalMilliseconds / devices:F2} ms |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| vendor order listing, `GET /api/v1/vendor/orders/{{orderNumber}}/devices` (JSON) | {devices:N0} | {listing.Elapsed.TotalSeconds:F1} s | {listing.Elapsed.TotalMilliseconds / devices:F2} ms |");
        text.AppendLine();
        text.AppendLine("Each device joins the project in a transaction of its own (its membership is transactional state, R-D2); the request adds 16 devices at a time and writes the project's device list once per 500 devices (`DeviceEnrollmentGrain`), and records the history of the whole request as one batch.");
        return text.ToString();
    }
}
