using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace OrleansLicensing.ProcessTests;

/// <summary>
/// A built licensing binary (the silo host or the gateway) started as a process of its own, the
/// way an operator starts it; its output is captured for the assertions.
/// </summary>
public sealed class NodeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private NodeProcess(Process process, string url)
    {
        _process = process;
        Url = url;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Url { get; }

    /// <summary>The operating-system process id (for signals other than kill).</summary>
    public int ProcessId => _process.Id;

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>The repository root (where OrleansLicensing.sln is).</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>The build configuration these tests were built in (the binaries were built alike).</summary>
    public static string Configuration { get; } = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;

    public static string OutputDirectory(string project) =>
        Path.Combine(RepositoryRoot, project, "bin", Configuration, "net10.0");

    /// <summary>Starts <c>dotnet OrleansLicensing.{project}.dll</c> in <paramref name="workingDirectory"/> and waits for <c>/readyz</c>.</summary>
    public static async Task<NodeProcess> StartAsync(string project, string workingDirectory, IReadOnlyDictionary<string, string> settings)
    {
        var port = FreePort();
        var url = $"http://127.0.0.1:{port}";
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(OutputDirectory(project), $"OrleansLicensing.{project}.dll"));
        start.ArgumentList.Add($"--urls={url}");
        foreach (var (key, value) in settings)
        {
            start.ArgumentList.Add($"--{key}={value}");
        }

        // As an operator would start it: production, no inherited test configuration.
        start.Environment.Remove("ASPNETCORE_ENVIRONMENT");
        start.Environment.Remove("DOTNET_ENVIRONMENT");
        var node = new NodeProcess(Process.Start(start)!, url);
        await node.WaitUntilReadyAsync();
        return node;
    }

    /// <summary>Waits for the process to exit by itself (after a signal) and answers its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan bound)
    {
        using var timeout = new CancellationTokenSource(bound);
        await _process.WaitForExitAsync(timeout.Token);
        return _process.ExitCode;
    }

    private static readonly HashSet<int> HandedOut = [];

    /// <summary>
    /// A loopback port free right now and never handed out before in this test process: the
    /// OS may offer a just-released port again, and two settings of one node (its HTTP and silo
    /// ports) then collide ("address already in use", seen in CI).
    /// </summary>
    public static int FreePort()
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            lock (HandedOut)
            {
                if (HandedOut.Add(port))
                {
                    return port;
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private async Task WaitUntilReadyAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The process exited with {_process.ExitCode}:\n{Output}");
            }

            try
            {
                var ready = await Http.GetAsync(Url + "/readyz");
                if (ready.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"{Url}/readyz did not turn green within 60 s:\n{Output}");
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "OrleansLicensing.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("OrleansLicensing.sln not found above " + AppContext.BaseDirectory);
    }
}
