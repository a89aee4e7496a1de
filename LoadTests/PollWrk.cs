using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace OrleansLicensing.LoadTests;

/// <summary>One wrk run: throughput, p99, requests not answered 2xx/3xx, socket errors, and wrk's own CPU seconds.</summary>
public sealed record WrkResult(double RequestsPerSecond, double P99Ms, long Requests, long Bad, string SocketErrors, double CpuSeconds);

/// <summary>
/// wrk (from the OS packages) driving <c>LoadTests/poll.lua</c>: the cross-check of the LoadTests
/// generator's closed-loop figures with a native load tool, same connections, in the same run.
/// </summary>
public static partial class PollWrk
{
    /// <summary>The wrk executable on the PATH, or null when it is not installed.</summary>
    public static string? Find() =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, "wrk")).FirstOrDefault(File.Exists);

    public static string Script(string root) => Path.Combine(root, "LoadTests", "poll.lua");

    /// <summary>Writes the requests ("MAC SECRET [ETAG]" per line) for the script.</summary>
    public static async Task<string> WriteRequestsAsync(IEnumerable<(string Mac, string Secret, string? ETag)> requests)
    {
        var path = Path.Combine(Path.GetTempPath(), $"poll-requests-{Guid.NewGuid():N}.txt");
        await File.WriteAllLinesAsync(path, requests.Select(r => r.ETag is null ? $"{r.Mac} {r.Secret}" : $"{r.Mac} {r.Secret} {r.ETag}"));
        return path;
    }

    public static async Task<WrkResult> RunAsync(string wrk, string script, string url, string requestsFile, int threads, int connections, int seconds)
    {
        var start = new ProcessStartInfo(wrk) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { $"-t{threads}", $"-c{connections}", $"-d{seconds}s", "--latency", "-s", script, url, "--", requestsFile })
        {
            start.ArgumentList.Add(argument);
        }

        var cpuBefore = ProcessCpu.EndedChildren();
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var cpu = ProcessCpu.EndedChildren() - cpuBefore;
        var text = await output + await error;
        var rate = RateLine().Match(text);
        var p99 = P99Line().Match(text);
        var total = TotalLine().Match(text);
        if (process.ExitCode != 0 || !rate.Success || !p99.Success || !total.Success)
        {
            throw new InvalidOperationException($"wrk exited with {process.ExitCode}: {text}");
        }

        var bad = BadLine().Match(text);
        var socket = SocketLine().Match(text);
        return new WrkResult(
            double.Parse(rate.Groups[1].Value, CultureInfo.InvariantCulture),
            Milliseconds(p99.Groups[1].Value, p99.Groups[2].Value),
            long.Parse(total.Groups[1].Value, CultureInfo.InvariantCulture),
            bad.Success ? long.Parse(bad.Groups[1].Value, CultureInfo.InvariantCulture) : 0,
            socket.Success ? socket.Groups[1].Value.Trim() : "none",
            cpu);
    }

    private static double Milliseconds(string value, string unit)
    {
        var number = double.Parse(value, CultureInfo.InvariantCulture);
        return unit switch { "us" => number / 1000, "ms" => number, "s" => number * 1000, _ => number * 60_000 };
    }

    [GeneratedRegex(@"Requests/sec:\s+([0-9.]+)")]
    private static partial Regex RateLine();

    [GeneratedRegex(@"^\s+99%\s+([0-9.]+)(us|ms|s|m)\s*$", RegexOptions.Multiline)]
    private static partial Regex P99Line();

    [GeneratedRegex(@"([0-9]+) requests in")]
    private static partial Regex TotalLine();

    [GeneratedRegex(@"Non-2xx or 3xx responses:\s+([0-9]+)")]
    private static partial Regex BadLine();

    [GeneratedRegex(@"Socket errors:([^\n]+)")]
    private static partial Regex SocketLine();
}
