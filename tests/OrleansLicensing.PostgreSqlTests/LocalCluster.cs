using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Npgsql;
using OrleansLicensing.ProcessTests;

namespace OrleansLicensing.PostgreSqlTests;

/// <summary>
/// The production shape as processes on this machine: N silo processes on one PostgreSQL
/// database and M gateway processes that find them through its membership table. Silos can be
/// killed, stopped gracefully and started again by index.
/// </summary>
public sealed class LocalCluster : IAsyncDisposable
{
    public const string VendorKey = "pg-fault-vendor-key-0123456789ab";

    private readonly string _work = Directory.CreateTempSubdirectory("orleans-licensing-pg-fault-").FullName;
    private readonly string _clusterId = $"fault-{Guid.NewGuid():N}"[..16];
    private readonly string _signingKey;
    private readonly List<NodeProcess?> _silos;
    private readonly List<NodeProcess> _gateways = [];

    private LocalCluster(string database, int silos)
    {
        // Timeout bounds how long a request waits for a connection while the database is away.
        Database = new NpgsqlConnectionStringBuilder(database) { Timeout = 5 }.ToString();
        _silos = [.. new NodeProcess?[silos]];
        _signingKey = Path.Combine(_work, "license-signing-key.pem");
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        File.WriteAllText(_signingKey, key.ExportPkcs8PrivateKeyPem());
    }

    public string Database { get; }

    public IReadOnlyList<string> GatewayUrls => _gateways.Select(g => g.Url).ToArray();

    public IReadOnlyList<NodeProcess?> Silos => _silos;

    /// <summary>The error lines every node logged so far (for a failing test's output).</summary>
    public IEnumerable<string> ErrorLines() =>
        _gateways.Concat(_silos.OfType<NodeProcess>())
            .SelectMany(node => node.Output.Split('\n'))
            .Where(line => line.Contains("\"LogLevel\":\"Error\"", StringComparison.Ordinal) || line.Contains("\"LogLevel\":\"Critical\"", StringComparison.Ordinal));

    /// <summary>Every node's warnings and errors, one line per category and event with its count and first time.</summary>
    public IEnumerable<string> WarningSummary() =>
        _gateways.Concat(_silos.OfType<NodeProcess>())
            .SelectMany(node => node.Output.Split('\n').Select(line => (Node: node.Url, Line: line)))
            .Where(l => l.Line.Contains("\"LogLevel\":\"Warning\"", StringComparison.Ordinal) || l.Line.Contains("\"LogLevel\":\"Error\"", StringComparison.Ordinal))
            .Select(l => (l.Node, Time: Field(l.Line, "Timestamp"), Key: Field(l.Line, "Category") + " " + Field(l.Line, "EventId"), Message: Field(l.Line, "Message")))
            .GroupBy(l => (l.Node, l.Key))
            .Select(g => $"{g.Key.Node} {g.Key.Key} × {g.Count()} first {g.Min(l => l.Time)} last {g.Max(l => l.Time)}: {g.First().Message[..Math.Min(240, g.First().Message.Length)]}");

    private static string Field(string jsonLine, string name)
    {
        var start = jsonLine.IndexOf($"\"{name}\":", StringComparison.Ordinal);
        if (start < 0)
        {
            return string.Empty;
        }

        start += name.Length + 3;
        var quoted = jsonLine[start] == '"';
        var end = quoted ? jsonLine.IndexOf('"', start + 1) : jsonLine.IndexOfAny([',', '}'], start);
        return end < 0 ? string.Empty : jsonLine[(quoted ? start + 1 : start)..end];
    }

    /// <summary>What the silos' membership services logged (suspicions, votes, deaths, probe failures).</summary>
    public IEnumerable<string> MembershipLines() =>
        _silos.OfType<NodeProcess>()
            .SelectMany(node => node.Output.Split('\n'))
            .Where(line => line.Contains("MembershipService", StringComparison.Ordinal));

    /// <summary>Migrates the database (the operator's first step), then starts the silos together and the gateways.</summary>
    public static async Task<LocalCluster> StartAsync(string database, int silos, int gateways)
    {
        var cluster = new LocalCluster(database, silos);
        try
        {
            await cluster.MigrateAsync();
            await Task.WhenAll(Enumerable.Range(0, silos).Select(cluster.StartSiloAsync));
            var started = await Task.WhenAll(Enumerable.Range(0, gateways).Select(_ => NodeProcess.StartAsync("Gateway", cluster._work, new Dictionary<string, string>
            {
                ["Orleans:ClusterId"] = cluster._clusterId,
                ["Orleans:ConnectionString"] = cluster.Database,
                ["Licensing:VendorApiKey"] = VendorKey,
                ["Licensing:TokenSigningKey"] = "pg-fault-token-key-0123456789abcd",
                ["Gateway:RateLimits:TokenPermitsPerMinute"] = "1000000",
                ["Gateway:RateLimits:MutationPermitsPerMinute"] = "1000000",
                ["Gateway:RateLimits:SearchPermitsPerMinute"] = "1000000",
                ["Gateway:RateLimits:DevicePollsPerMinute"] = "1000000",
            })));
            cluster._gateways.AddRange(started);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts silo <paramref name="index"/>: one that was stopped, or the next new one (index = count).</summary>
    public async Task StartSiloAsync(int index)
    {
        if (index == _silos.Count)
        {
            _silos.Add(null);
        }

        Assert.Null(_silos[index]);
        _silos[index] = await NodeProcess.StartAsync("Silo", _work, new Dictionary<string, string>
        {
            ["Gateway:CoHosted"] = "false",
            ["Storage:Provider"] = "PostgreSql",
            ["Storage:ConnectionString"] = Database,
            ["Orleans:ClusterId"] = _clusterId,
            ["Orleans:AdvertisedAddress"] = "127.0.0.1",
            ["Orleans:SiloPort"] = NodeProcess.FreePort().ToString(CultureInfo.InvariantCulture),
            ["Orleans:GatewayPort"] = NodeProcess.FreePort().ToString(CultureInfo.InvariantCulture),
            ["Licensing:DeviceSecretKey"] = "pg-fault-device-key-0123456789abc",
            ["Licensing:SigningKeyPath"] = _signingKey,
            ["Logging:LogLevel:Orleans.Runtime.MembershipService"] = "Information",
        });
    }

    /// <summary><c>kill -9</c>: the process vanishes without leaving the cluster.</summary>
    public async Task KillSiloAsync(int index)
    {
        await _silos[index]!.DisposeAsync();
        _silos[index] = null;
    }

    /// <summary>SIGTERM, as an orchestrator stops a container: the silo leaves the cluster and exits by itself.</summary>
    public async Task<int> StopSiloGracefullyAsync(int index)
    {
        var node = _silos[index]!;
        using (var signal = Process.Start("kill", ["-TERM", node.ProcessId.ToString(CultureInfo.InvariantCulture)]))
        {
            await signal.WaitForExitAsync();
        }

        var exitCode = await node.WaitForExitAsync(TimeSpan.FromSeconds(60));
        await node.DisposeAsync();
        _silos[index] = null;
        return exitCode;
    }

    /// <summary>Every running silo's <c>/readyz</c> status code (0 when it did not answer).</summary>
    public async Task<int[]> SiloReadinessAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        return await Task.WhenAll(_silos.Where(s => s is not null).Select(async s =>
        {
            try
            {
                using var response = await http.GetAsync(s!.Url + "/readyz");
                return (int)response.StatusCode;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                return 0;
            }
        }));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _gateways.Concat(_silos.Where(s => s is not null).Select(s => s!)))
        {
            await node.DisposeAsync();
        }

        Directory.Delete(_work, recursive: true);
    }

    private async Task MigrateAsync()
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = _work, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(NodeProcess.OutputDirectory("Silo"), "OrleansLicensing.Silo.dll"));
        start.ArgumentList.Add("migrate");
        start.ArgumentList.Add("--Storage:Provider=PostgreSql");
        start.ArgumentList.Add($"--Storage:ConnectionString={Database}");
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"migrate exited with {process.ExitCode}:\n{await output}\n{await errors}");
    }
}
