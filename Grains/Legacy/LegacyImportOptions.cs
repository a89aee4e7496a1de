namespace OrleansLicensing.Grains.Legacy;

/// <summary>Batch sizes of the legacy load and import processes (R-I1, R-I2).</summary>
public sealed class LegacyImportOptions
{
    /// <summary>Devices imported per batch of an import into a project, that is per ledger transaction.</summary>
    public int DevicesPerBatch { get; set; } = 200;

    /// <summary>Grain calls a load or import batch keeps in flight at once.</summary>
    public int Parallelism { get; set; } = 32;
}

/// <summary>Runs the grain calls of one batch with bounded parallelism on the calling grain's scheduler.</summary>
internal static class LegacyBatches
{
    public static Task ForEachAsync<T>(IEnumerable<T> items, int parallelism, Func<T, Task> body) =>
        Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = parallelism, TaskScheduler = TaskScheduler.Current }, async (item, _) => await body(item));
}
