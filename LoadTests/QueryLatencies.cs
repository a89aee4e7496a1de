using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace OrleansLicensing.LoadTests;

/// <summary>Latencies of read requests, measured one at a time from outside, and the report sections they go into.</summary>
public sealed class QueryLatencies
{
    private readonly List<double> _ms = [];

    public int Count => _ms.Count;

    public double Percentile(double p)
    {
        var sorted = _ms.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
    }

    public double Max => _ms.Count == 0 ? double.NaN : _ms.Max();

    public double Total => _ms.Sum();

    /// <summary>Records a duration measured elsewhere (a walk of several requests).</summary>
    public void Add(double milliseconds) => _ms.Add(milliseconds);

    /// <summary>Sends one GET, checks 200 and returns its body; the time is the whole round trip.</summary>
    public async Task<string> GetAsync(HttpClient http, string path, string token)
    {
        var watch = Stopwatch.StartNew();
        var response = await BenchmarkNode.Send(http, HttpMethod.Get, path, token, null);
        var body = await response.Content.ReadAsStringAsync();
        watch.Stop();
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"GET {path} answered {(int)response.StatusCode}: {body}");
        }

        _ms.Add(watch.Elapsed.TotalMilliseconds);
        return body;
    }

    public string Row(string label, string extra = "") =>
        string.Create(CultureInfo.InvariantCulture, $"| {label} | {Count} | {Percentile(50):F2} ms | {Percentile(99):F2} ms | {Max:F2} ms |{extra}");

    /// <summary>The machine's 1-minute load average (other work shares these cores).</summary>
    public static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";

    /// <summary>The document with the section under <paramref name="heading"/> (up to the next one) replaced by <paramref name="section"/>, or that added at the end.</summary>
    public static string ReplaceSection(string document, string heading, string section)
    {
        var start = document.IndexOf(heading, StringComparison.Ordinal);
        if (start < 0)
        {
            return document.TrimEnd() + Environment.NewLine + Environment.NewLine + section;
        }

        var next = document.IndexOf("\n## ", start + heading.Length, StringComparison.Ordinal);
        return document[..start] + section + (next < 0 ? string.Empty : Environment.NewLine + document[(next + 1)..]);
    }
}
