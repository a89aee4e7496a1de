using Orleans.Runtime;
using Orleans.Storage;
using OrleansLicensing.Silo;

namespace OrleansLicensing.ApiTests;

/// <summary>SQLite sees one grain-state write at a time; reads are not held back.</summary>
public sealed class SingleWriterGrainStorageTests
{
    [Fact]
    public async Task Concurrent_writes_and_clears_reach_the_store_one_at_a_time_while_reads_overlap()
    {
        var store = new ConcurrencyProbe();
        var storage = new SingleWriterGrainStorage(store);
        var state = new GrainState<int>();
        var grain = GrainId.Create("test", "g");

        await Task.WhenAll(Enumerable.Range(0, 16).Select(i => i % 4 == 0
            ? storage.ClearStateAsync("s", grain, state)
            : storage.WriteStateAsync("s", grain, state)));
        Assert.Equal(16, store.Writes);
        Assert.Equal(1, store.MaxConcurrentWrites);

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => storage.ReadStateAsync("s", grain, state)));
        Assert.True(store.MaxConcurrentReads > 1, "reads were serialised");
    }

    private sealed class ConcurrencyProbe : IGrainStorage
    {
        private readonly Gauge _writing = new();
        private readonly Gauge _reading = new();
        private int _writes;

        public int Writes => Volatile.Read(ref _writes);

        public int MaxConcurrentWrites => _writing.Max;

        public int MaxConcurrentReads => _reading.Max;

        public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => _reading.HoldAsync();

        public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => WriteAsync();

        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => WriteAsync();

        private Task WriteAsync()
        {
            Interlocked.Increment(ref _writes);
            return _writing.HoldAsync();
        }
    }

    /// <summary>Counts calls in progress and remembers the most at once.</summary>
    private sealed class Gauge
    {
        private readonly object _lock = new();
        private int _current;

        public int Max { get; private set; }

        public async Task HoldAsync()
        {
            lock (_lock)
            {
                Max = Math.Max(Max, ++_current);
            }

            await Task.Delay(20);
            lock (_lock)
            {
                _current--;
            }
        }
    }
}
