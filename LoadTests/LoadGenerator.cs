using System.Diagnostics;
using System.Net;
using HdrHistogram;

namespace OrleansLicensing.LoadTests;

public sealed record LoadResult(long Requests, long Failures, double Seconds, LongHistogram Latency)
{
    public double RequestsPerSecond => Requests / Seconds;

    public double PercentileMs(double percentile) => Latency.GetValueAtPercentile(percentile) / (double)TimeSpan.TicksPerMillisecond;
}

/// <summary>
/// Closed-loop (as fast as the server answers) and open-loop (fixed arrival rate) HTTP load on
/// loopback, bounded in time; latencies in an HdrHistogram.
/// </summary>
public static class LoadGenerator
{
    public static HttpClient CreateClient(int connections) => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = connections,
        PooledConnectionLifetime = TimeSpan.FromMinutes(10),
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
    })
    {
        Timeout = TimeSpan.FromSeconds(10),
    };

    /// <summary>As many requests as <paramref name="concurrency"/> workers get answered in <paramref name="duration"/>.</summary>
    public static async Task<LoadResult> ClosedLoopAsync(HttpClient client, Func<int, HttpRequestMessage> request, int concurrency, TimeSpan duration)
    {
        var histogram = new LongHistogram(MaxLatencyTicks, 3);
        long requests = 0, failures = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(worker => Task.Run(async () =>
        {
            var local = new LongHistogram(MaxLatencyTicks, 3);
            var i = worker;
            while (clock.Elapsed < duration)
            {
                var started = Stopwatch.GetTimestamp();
                if (!await SendAsync(client, request(i++)))
                {
                    Interlocked.Increment(ref failures);
                }

                local.RecordValue(Clamp(Stopwatch.GetElapsedTime(started).Ticks));
                Interlocked.Increment(ref requests);
            }

            lock (histogram)
            {
                histogram.Add(local);
            }
        })));
        return new LoadResult(requests, failures, clock.Elapsed.TotalSeconds, histogram);
    }

    /// <summary>Requests started at a fixed rate; latency counts from the scheduled start (no coordinated omission).</summary>
    public static async Task<LoadResult> OpenLoopAsync(HttpClient client, Func<int, HttpRequestMessage> request, double ratePerSecond, TimeSpan duration)
    {
        var histogram = new LongHistogram(MaxLatencyTicks, 3);
        long failures = 0;
        var total = (int)(ratePerSecond * duration.TotalSeconds);
        var interval = TimeSpan.FromSeconds(1 / ratePerSecond);
        var clock = Stopwatch.StartNew();
        var inFlight = new List<Task>(total);
        for (var i = 0; i < total; i++)
        {
            var scheduled = interval * i;
            var wait = scheduled - clock.Elapsed;
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait);
            }

            var index = i;
            inFlight.Add(Task.Run(async () =>
            {
                var ok = await SendAsync(client, request(index));
                var latency = clock.Elapsed - scheduled;
                lock (histogram)
                {
                    histogram.RecordValue(Clamp(latency.Ticks));
                }

                if (!ok)
                {
                    Interlocked.Increment(ref failures);
                }
            }));
        }

        await Task.WhenAll(inFlight);
        return new LoadResult(total, failures, clock.Elapsed.TotalSeconds, histogram);
    }

    private const long MaxLatencyTicks = TimeSpan.TicksPerMinute;

    private static long Clamp(long ticks) => Math.Clamp(ticks, 1, MaxLatencyTicks - 1);

    private static async Task<bool> SendAsync(HttpClient client, HttpRequestMessage message)
    {
        try
        {
            using var response = await client.SendAsync(message, HttpCompletionOption.ResponseContentRead);
            return response.StatusCode is HttpStatusCode.OK or HttpStatusCode.NotModified;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException)
        {
            return false;
        }
    }
}
