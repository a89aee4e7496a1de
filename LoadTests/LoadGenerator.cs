using System.Diagnostics;
using System.Net;
using System.Threading.Channels;
using HdrHistogram;

namespace OrleansLicensing.LoadTests;

public sealed record LoadResult(long Requests, long Failures, double Seconds, LongHistogram Latency)
{
    public double RequestsPerSecond => Requests / Seconds;

    public double PercentileMs(double percentile) => Latency.GetValueAtPercentile(percentile) / (double)TimeSpan.TicksPerMillisecond;
}

/// <summary>
/// Closed-loop (as fast as the server answers) and open-loop (fixed arrival rate) HTTP/1.1 load
/// on loopback over <see cref="RawHttpConnection"/>s, bounded in time; latencies in an HdrHistogram.
/// A request succeeds when it is answered 200 or 304.
/// </summary>
public static class LoadGenerator
{
    private const long MaxLatencyTicks = TimeSpan.TicksPerMinute;

    /// <summary>As many requests as <paramref name="concurrency"/> connections get answered in <paramref name="duration"/>.</summary>
    public static async Task<LoadResult> ClosedLoopAsync(EndPoint server, Func<int, byte[]> request, int concurrency, TimeSpan duration)
    {
        var histogram = new LongHistogram(MaxLatencyTicks, 3);
        long requests = 0, failures = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(worker => Task.Run(async () =>
        {
            var local = new LongHistogram(MaxLatencyTicks, 3);
            var connection = await RawHttpConnection.OpenAsync(server);
            var i = worker;
            while (clock.Elapsed < duration)
            {
                var started = Stopwatch.GetTimestamp();
                (var ok, connection) = await SendAsync(server, connection, request(i));
                i += concurrency;
                if (!ok)
                {
                    Interlocked.Increment(ref failures);
                }

                local.RecordValue(Clamp(Stopwatch.GetElapsedTime(started).Ticks));
                Interlocked.Increment(ref requests);
            }

            connection.Dispose();
            lock (histogram)
            {
                histogram.Add(local);
            }
        })));
        return new LoadResult(requests, failures, clock.Elapsed.TotalSeconds, histogram);
    }

    /// <summary>
    /// Requests started at a fixed rate over a pool of <paramref name="connections"/>; latency
    /// counts from the scheduled start, so waiting for a free connection is included (no
    /// coordinated omission).
    /// </summary>
    public static async Task<LoadResult> OpenLoopAsync(EndPoint server, Func<int, byte[]> request, double ratePerSecond, int connections, TimeSpan duration)
    {
        var histogram = new LongHistogram(MaxLatencyTicks, 3);
        long failures = 0;
        var idle = Channel.CreateUnbounded<RawHttpConnection>();
        for (var c = 0; c < connections; c++)
        {
            idle.Writer.TryWrite(await RawHttpConnection.OpenAsync(server));
        }

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
                var connection = await idle.Reader.ReadAsync();
                (var ok, connection) = await SendAsync(server, connection, request(index));
                var latency = clock.Elapsed - scheduled;
                idle.Writer.TryWrite(connection);
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
        idle.Writer.Complete();
        await foreach (var connection in idle.Reader.ReadAllAsync())
        {
            connection.Dispose();
        }

        return new LoadResult(total, failures, clock.Elapsed.TotalSeconds, histogram);
    }

    private static long Clamp(long ticks) => Math.Clamp(ticks, 1, MaxLatencyTicks - 1);

    /// <summary>One request; a broken connection counts as a failure and is replaced.</summary>
    private static async Task<(bool Ok, RawHttpConnection Connection)> SendAsync(EndPoint server, RawHttpConnection connection, byte[] request)
    {
        try
        {
            var status = await connection.SendAsync(request);
            return (status is 200 or 304, connection);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or InvalidOperationException)
        {
            connection.Dispose();
            return (false, await RawHttpConnection.OpenAsync(server));
        }
    }
}
