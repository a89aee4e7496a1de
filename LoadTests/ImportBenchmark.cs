using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace OrleansLicensing.LoadTests;

/// <summary>
/// R-I1 and R-I2 from outside: the Release node as its own process (SQLite, full durability). The
/// vendor uploads an old export of <see cref="Devices"/> devices (one group of 50 users, each device
/// with one license) in parts of 1,000 devices; it loads as a durable process. A company admin
/// claims the group with an old login and imports its balance and all devices into a project (a
/// durable process: 200 devices per ledger move; the vendor never registered these MACs, so each
/// gets its hardware record and joins the project first). Every step is timed; the result counts,
/// the project's balance and device list, and the conservation audit are checked.
/// </summary>
public static class ImportBenchmark
{
    public const string Heading = "## Legacy import of 100,000 devices (R-I1, R-I2)";

    private const int Devices = 100_000;
    private const int DevicesPerPart = 1_000;
    private const int Users = 50;
    private const string Password = "old-bench-password";

    public static async Task<string> RunAsync(BenchmarkOptions options, string root, int devices = Devices)
    {
        await using var node = await ExternalNode.StartAsync(root, configuration: options.NodeConfiguration);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 16 }) { BaseAddress = new Uri(node.Url), Timeout = TimeSpan.FromMinutes(10) };
        var exportId = "bench-" + Guid.NewGuid().ToString("N")[..8];
        var parts = (devices + DevicesPerPart - 1) / DevicesPerPart;

        // The old accounts carry PBKDF2-SHA1 hashes as the export format allows (docs/import.md).
        var salt = RandomNumberGenerator.GetBytes(16);
        var hash = Convert.ToBase64String(Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(Password), salt, 1_000, HashAlgorithmName.SHA1, 20));
        var accounts = Enumerable.Range(0, Users).Select(u => new { login = $"user{u}", group = "bench-group", password = new { algorithm = "pbkdf2-sha1", iterations = 1_000, salt = Convert.ToBase64String(salt), hash } }).ToArray();

        var upload = Stopwatch.StartNew();
        for (var part = 0; part < parts; part++)
        {
            var body = new
            {
                exportId,
                part,
                of = parts,
                accounts = part == 0 ? accounts : [],
                groups = part == 0 ? new[] { new { id = "bench-group", name = "Bench reseller", balance = new Dictionary<string, int> { ["PBX-Port8"] = 5_000 } } } : [],
                devices = Enumerable.Range(part * DevicesPerPart, Math.Min(DevicesPerPart, devices - (part * DevicesPerPart))).Select(i => new
                {
                    mac = (0x400000 + i).ToString("x6", CultureInfo.InvariantCulture),
                    deviceType = "IP6000",
                    licenses = new[] { new { type = "PBX-Port8", units = 1 + (i % 10), version = "V8", bindDate = "2010-03-01", user = $"user{i % Users}" } },
                }).ToArray(),
            };
            await BenchmarkNode.Expect(BenchmarkNode.Send(http, HttpMethod.Post, "/api/v1/vendor/import", BenchmarkNode.VendorKey, body), HttpStatusCode.Accepted);
        }

        upload.Stop();
        Console.WriteLine($"uploaded {parts} parts in {upload.Elapsed.TotalSeconds:F1} s");
        var load = Stopwatch.StartNew();
        var loaded = await WaitAsync(http, $"/api/v1/vendor/import/{exportId}", () => Task.FromResult(BenchmarkNode.VendorKey), "load");
        load.Stop();
        Console.WriteLine($"loaded in {load.Elapsed.TotalSeconds:F1} s: {loaded.ToJsonString()}");

        var email = $"load-{Guid.NewGuid():N}@example.com";
        var token = await BenchmarkNode.RegisterUserAsync(http, email);
        var (companyId, project) = await BenchmarkNode.CreateCompanyAsync(http, token, "Importer");
        var claim = Stopwatch.StartNew();
        var group = await BenchmarkNode.Json(await BenchmarkNode.Expect(
            BenchmarkNode.Send(http, HttpMethod.Post, $"/api/v1/companies/{companyId}/legacy/claims", token, new { login = "user7", password = Password }), HttpStatusCode.Created));
        claim.Stop();
        if (group["deviceCount"]!.GetValue<int>() != devices)
        {
            throw new InvalidOperationException($"the group lists {group["deviceCount"]} of {devices} devices");
        }

        var import = Stopwatch.StartNew();
        var started = await BenchmarkNode.Send(http, HttpMethod.Post, $"/api/v1/companies/{companyId}/projects/{project}/legacy/imports", token, new { groupId = "bench-group", allDevices = true });
        var startedBody = await BenchmarkNode.Json(started);
        var result = started.StatusCode == HttpStatusCode.OK
            ? startedBody
            : await WaitAsync(http, startedBody["status"]!["statusUrl"]!.GetValue<string>() + "?limit=1", () => BenchmarkNode.LoginAsync(http, email), "status");
        import.Stop();
        var imported = result["counts"]!["imported"]?.GetValue<int>() ?? 0;
        Console.WriteLine($"imported in {import.Elapsed.TotalSeconds:F1} s: {result["counts"]!.ToJsonString()}");
        if (imported != devices)
        {
            throw new InvalidOperationException($"{imported} of {devices} devices were imported: {result.ToJsonString()}");
        }

        token = await BenchmarkNode.LoginAsync(http, email);
        var listed = (await BenchmarkNode.Json(await BenchmarkNode.Expect(
            BenchmarkNode.Send(http, HttpMethod.Get, $"/api/v1/companies/{companyId}/projects/{project}/devices", token, null), HttpStatusCode.OK))).AsArray().Count;
        var auditTime = Stopwatch.StartNew();
        var audit = await AuditAsync(http);
        auditTime.Stop();
        Console.WriteLine($"audit answered after {auditTime.Elapsed.TotalSeconds:F1} s: balanced {audit["balanced"]}");
        if (listed != devices || !audit["balanced"]!.GetValue<bool>())
        {
            throw new InvalidOperationException($"the project lists {listed} of {devices} devices; audit: {audit.ToJsonString()}");
        }

        var text = new StringBuilder();
        text.AppendLine(Heading);
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Command: `dotnet build -c Release Silo && dotnet run -c Release --project LoadTests -- --only import --out docs/benchmarks.md`. The node is the Release silo binary as its own process with its production configuration (SQLite, full durability); requests come from the LoadTests process, one at a time. Machine: 2 cores shared with other work (load average, 1 min, at the end of the run: {QueryLatencies.LoadAverage()}).");
        text.AppendLine();
        text.AppendLine("| step | devices | time | per device |");
        text.AppendLine("|---|---|---|---|");
        text.AppendLine(CultureInfo.InvariantCulture, $"| vendor upload, `POST /api/v1/vendor/import`, {parts} parts of {DevicesPerPart:N0} one after the other (each stored, checked against the device type rules) | {devices:N0} | {upload.Elapsed.TotalSeconds:F1} s | {upload.Elapsed.TotalMilliseconds / devices:F2} ms |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| durable load into account, group and device grains ({2 * parts} batches), from the last part to `completed` | {devices:N0} | {load.Elapsed.TotalSeconds:F1} s | {load.Elapsed.TotalMilliseconds / devices:F2} ms |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| claim with an old login (PBKDF2 check) | – | {claim.Elapsed.TotalMilliseconds:F0} ms | – |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| import balance + all devices into a project, `POST …/legacy/imports` `{{allDevices}}` to `completed` (hardware record, project membership, then one ledger move per 200 devices) | {devices:N0} | {import.Elapsed.TotalSeconds:F1} s | {import.Elapsed.TotalMilliseconds / devices:F2} ms |");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Checked after the run: {imported:N0} devices `imported`, the project lists {listed:N0} devices, the conservation audit is balanced (the imported units are minted with source `Import`; the audit answered after {auditTime.Elapsed.TotalSeconds:F1} s).");
        return text.ToString();
    }

    /// <summary>The conservation audit's complete report (over 100,000 devices it answers 202 and its progress route is polled).</summary>
    private static Task<JsonNode> AuditAsync(HttpClient http) => AuditBenchmark.CompleteReportAsync(http);

    /// <summary>Polls <paramref name="url"/> until its <paramref name="member"/> stops running; signs in again when the token expired during a long wait.</summary>
    private static async Task<JsonNode> WaitAsync(HttpClient http, string url, Func<Task<string>> signIn, string member)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromHours(1);
        var token = await signIn();
        while (true)
        {
            var response = await BenchmarkNode.Send(http, HttpMethod.Get, url, token, null);
            if (response.StatusCode == HttpStatusCode.Unauthorized)
            {
                token = await signIn();
                continue;
            }

            if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
            {
                // A status read that waited behind a busy grain: ask again.
                await Task.Delay(1000);
                continue;
            }

            var body = await BenchmarkNode.Json(await BenchmarkNode.Expect(Task.FromResult(response), HttpStatusCode.OK));
            var state = body[member]!["state"]!.GetValue<string>();
            if (state != "running")
            {
                return state == "completed" ? body : throw new InvalidOperationException($"{url}: {body.ToJsonString()}");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{url} still running after an hour: {body.ToJsonString()}");
            }

            await Task.Delay(1000);
        }
    }
}
