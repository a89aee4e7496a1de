using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace OrleansLicensing.LoadTests;

/// <summary>
/// The single node as an operator runs it: the built Release silo binary (API co-hosted) started
/// as a process of its own with its production configuration (appsettings.json: SQLite, full
/// durability), a fresh data directory, free ports, and its whole output kept in a log file.
/// </summary>
public sealed partial class ExternalNode : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;

    private ExternalNode(Process process, string url, string logPath, string dataDirectory)
    {
        _process = process;
        Url = url;
        LogPath = logPath;
        DataDirectory = dataDirectory;
        _log = new StreamWriter(logPath) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => Write(e.Data);
        process.ErrorDataReceived += (_, e) => Write(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Url { get; }

    public int ProcessId => _process.Id;

    public string LogPath { get; }

    public string DataDirectory { get; }

    /// <summary>
    /// What a load generator needs beyond the production configuration: rate limits and the
    /// sign-in back-off raised (one client plays many), a cheaper password hash for the seeding's
    /// sign-ins. The cluster benchmark hands the same to its processes as environment variables.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> LoadSettings = new Dictionary<string, string>
    {
        ["Gateway:AnonymousPermitsPerMinute"] = "1000000",
        ["Gateway:RateLimits:TokenPermitsPerMinute"] = "1000000",
        ["Gateway:RateLimits:MutationPermitsPerMinute"] = "1000000",
        ["Gateway:RateLimits:SearchPermitsPerMinute"] = "1000000",
        ["Gateway:RateLimits:DevicePollsPerMinute"] = "1000000",
        ["Licensing:LoginFreeFailuresPerAddress"] = "100000",
        ["Licensing:PasswordHashIterations"] = "100000",
    };

    public static string BinaryPath(string root, string configuration = "Release") => Path.Combine(root, "Silo", "bin", configuration, "net10.0", "OrleansLicensing.Silo.dll");

    /// <summary>
    /// Starts the node. Beyond its production configuration it gets ports, a data directory, the
    /// vendor key, and a raised anonymous rate limit (the seeding registers accounts and tokens).
    /// </summary>
    public static async Task<ExternalNode> StartAsync(string root, IReadOnlyDictionary<string, string>? settings = null, string configuration = "Release")
    {
        var binary = BinaryPath(root, configuration);
        if (!File.Exists(binary))
        {
            throw new FileNotFoundException($"Build the node first: dotnet build -c {configuration} Silo ({binary} is missing).");
        }

        var work = Path.Combine(Path.GetTempPath(), "orleans-licensing-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        var url = $"http://127.0.0.1:{BenchmarkNode.FreePort()}";
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(binary)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(binary);
        start.ArgumentList.Add($"--urls={url}");
        var all = new Dictionary<string, string>
        {
            ["Storage:DataDirectory"] = Path.Combine(work, "data"),
            ["Orleans:SiloPort"] = BenchmarkNode.FreePort().ToString(CultureInfo.InvariantCulture),
            ["Orleans:GatewayPort"] = BenchmarkNode.FreePort().ToString(CultureInfo.InvariantCulture),
            ["Licensing:VendorApiKey"] = BenchmarkNode.VendorKey,
        };
        foreach (var (key, value) in LoadSettings)
        {
            all[key] = value;
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            all[key] = value;
        }

        foreach (var (key, value) in all)
        {
            start.ArgumentList.Add($"--{key}={value}");
        }

        start.Environment.Remove("ASPNETCORE_ENVIRONMENT");
        start.Environment.Remove("DOTNET_ENVIRONMENT");
        var node = new ExternalNode(Process.Start(start)!, url, Path.Combine(work, "node.log"), work);
        Console.WriteLine($"node {binary} on {url}, log {node.LogPath}");
        await node.WaitUntilReadyAsync();
        return node;
    }

    /// <summary>The node's log lines that name <paramref name="text"/>.</summary>
    public int CountInLog(string text)
    {
        lock (_log)
        {
            _log.Flush();
        }

        using var reader = new StreamReader(new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
        var count = 0;
        while (reader.ReadLine() is { } line)
        {
            if (line.Contains(text, StringComparison.Ordinal))
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>The value of a counter on the node's <c>/metrics</c>, summed over its series (those whose labels contain <paramref name="label"/>, if given).</summary>
    public static async Task<double> ScrapeAsync(HttpClient http, string metric, string? label = null)
    {
        var text = await http.GetStringAsync("/metrics");
        double sum = 0;
        foreach (Match match in SeriesLine().Matches(text))
        {
            if (match.Groups["name"].Value == metric && (label is null || match.Groups["labels"].Value.Contains(label, StringComparison.Ordinal)))
            {
                sum += double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture);
            }
        }

        return sum;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        lock (_log)
        {
            _log.Dispose();
        }
    }

    private void Write(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.WriteLine(line);
        }
    }

    private async Task WaitUntilReadyAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(90))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The node exited with {_process.ExitCode}; see {LogPath}.");
            }

            try
            {
                if ((await http.GetAsync(Url + "/readyz")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"{Url}/readyz did not turn green within 90 s; see {LogPath}.");
    }

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?<labels>\{[^}]*\})? (?<value>[0-9.eE+-]+|NaN)", RegexOptions.Multiline)]
    private static partial Regex SeriesLine();
}
