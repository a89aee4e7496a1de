using Orleans.Storage;

namespace OrleansLicensing.Silo;

/// <summary>
/// Lets one grain-state write at a time reach an SQLite database. SQLite has a single writer
/// per file anyway; writers that collide wait inside SQLite's busy handler, blocking a thread
/// each, which on a small machine starves the very threads the lock holder needs. Queued
/// here, they wait without a thread. Reads are not gated (WAL lets them run beside the writer).
/// </summary>
public sealed class SingleWriterGrainStorage(IGrainStorage inner) : IGrainStorage
{
    private readonly SemaphoreSlim _writer = new(1, 1);

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ReadStateAsync(stateName, grainId, grainState);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        OneAtATimeAsync(() => inner.WriteStateAsync(stateName, grainId, grainState));

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        OneAtATimeAsync(() => inner.ClearStateAsync(stateName, grainId, grainState));

    private async Task OneAtATimeAsync(Func<Task> write)
    {
        await _writer.WaitAsync();
        try
        {
            await write();
        }
        finally
        {
            _writer.Release();
        }
    }
}
