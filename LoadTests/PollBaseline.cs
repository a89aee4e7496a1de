using System.Diagnostics;
using System.Globalization;

namespace OrleansLicensing.LoadTests;

/// <summary>
/// The plain-Kestrel baseline of the poll benchmark as a process of its own: this binary started
/// with <c>--baseline-server PORT BODYFILE ETAG</c> answers every GET of the poll route with the
/// same bytes, ETag and Cache-Control as a full poll answer, and does nothing else — the ceiling
/// an ASP.NET Core process reaches on this machine for that exchange.
/// </summary>
public sealed class PollBaseline : IAsyncDisposable
{
    public const string Mode = "--baseline-server";

    private readonly Process _process;

    private PollBaseline(Process process, string url)
    {
        _process = process;
        Url = url;
    }

    public string Url { get; }

    public int ProcessId => _process.Id;

    /// <summary>Serves until the process is killed (the benchmark ends it).</summary>
    public static async Task ServeAsync(string[] args)
    {
        var port = int.Parse(args[1], CultureInfo.InvariantCulture);
        var body = await File.ReadAllBytesAsync(args[2]);
        var etag = args[3];
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production", ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        app.MapGet("/api/v1/device/license", context =>
        {
            var response = context.Response;
            response.ContentType = "application/json";
            response.ContentLength = body.Length;
            response.Headers.ETag = etag;
            response.Headers.CacheControl = "no-cache";
            return response.Body.WriteAsync(body).AsTask();
        });
        await app.RunAsync();
    }

    /// <summary>Starts this binary again in baseline mode on a free port and waits until it answers.</summary>
    public static async Task<PollBaseline> StartAsync(byte[] body, string etag)
    {
        var bodyFile = Path.Combine(Path.GetTempPath(), $"poll-baseline-{Guid.NewGuid():N}.json");
        await File.WriteAllBytesAsync(bodyFile, body);
        var port = BenchmarkNode.FreePort();
        var self = Environment.ProcessPath!;
        var start = new ProcessStartInfo(self) { UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            start.ArgumentList.Add(typeof(PollBaseline).Assembly.Location);
        }

        foreach (var argument in new[] { Mode, port.ToString(CultureInfo.InvariantCulture), bodyFile, etag })
        {
            start.ArgumentList.Add(argument);
        }

        var baseline = new PollBaseline(Process.Start(start)!, $"http://127.0.0.1:{port}");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if ((await http.GetAsync(baseline.Url + "/api/v1/device/license")).IsSuccessStatusCode)
                {
                    return baseline;
                }

                await Task.Delay(100);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && clock.Elapsed < TimeSpan.FromSeconds(30) && !baseline._process.HasExited)
            {
                await Task.Delay(100);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
