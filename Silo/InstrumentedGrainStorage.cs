using System.Diagnostics;
using System.Diagnostics.Metrics;
using Orleans.Storage;

namespace OrleansLicensing.Silo;

/// <summary>
/// Storage telemetry: a span and a latency measurement per grain-storage call, and plain
/// counters tests use to prove a path makes no storage call (R-C3).
/// </summary>
public sealed class StorageInstrumentation : IDisposable
{
    public const string ActivitySourceName = Contracts.TelemetryNames.StorageActivitySource;

    public static readonly ActivitySource ActivitySource = new(ActivitySourceName);

    private readonly Meter _meter;
    private readonly Histogram<double> _duration;
    private long _reads;
    private long _writes;
    private long _clears;

    public StorageInstrumentation(IMeterFactory meters, string provider, SqliteGroupCommit? groupCommit = null)
    {
        Provider = provider;
        _meter = meters.Create(Contracts.TelemetryNames.StorageMeter);
        _duration = _meter.CreateHistogram<double>("licensing.storage.duration", unit: "ms", description: "Latency of grain storage calls by operation, provider and state name (a bounded set: the names grains declare)");
        if (groupCommit is not null)
        {
            _meter.CreateObservableCounter("licensing.storage.commits", () => groupCommit.Commits, description: "SQLite transactions that committed grain-state writes (one fsync each at full durability); writes per commit = writes / commits");
        }
    }

    public string Provider { get; }

    public long Reads => Interlocked.Read(ref _reads);

    public long Writes => Interlocked.Read(ref _writes);

    public long Clears => Interlocked.Read(ref _clears);

    public long Total => Reads + Writes + Clears;

    public async Task Measure(string operation, string stateName, Func<Task> call)
    {
        switch (operation)
        {
            case "read": Interlocked.Increment(ref _reads); break;
            case "write": Interlocked.Increment(ref _writes); break;
            default: Interlocked.Increment(ref _clears); break;
        }

        using var activity = ActivitySource.StartActivity($"storage {operation} {stateName}", ActivityKind.Client);
        activity?.SetTag("db.system", Provider);
        activity?.SetTag("db.operation", operation);
        activity?.SetTag("licensing.state", stateName);
        var started = Stopwatch.GetTimestamp();
        var outcome = "ok";
        try
        {
            await call();
        }
        catch (Exception e)
        {
            outcome = e is InconsistentStateException ? "conflict" : "error";
            activity?.SetStatus(ActivityStatusCode.Error, e.GetType().Name);
            throw;
        }
        finally
        {
            _duration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds, new("operation", operation), new("provider", Provider), new("outcome", outcome), new("state", stateName));
        }
    }

    public void Dispose() => _meter.Dispose();
}

/// <summary>Wraps the configured grain storage with <see cref="StorageInstrumentation"/>.</summary>
public sealed class InstrumentedGrainStorage(IGrainStorage inner, StorageInstrumentation instrumentation) : IGrainStorage
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        instrumentation.Measure("read", stateName, () => inner.ReadStateAsync(stateName, grainId, grainState));

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        instrumentation.Measure("write", stateName, () => inner.WriteStateAsync(stateName, grainId, grainState));

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        instrumentation.Measure("clear", stateName, () => inner.ClearStateAsync(stateName, grainId, grainState));
}
