namespace OrleansLicensing.Contracts;

public enum ProcessState
{
    NotStarted = 0,
    Running = 1,
    Completed = 2,
    Failed = 3,
}

/// <summary>
/// A durable process's progress: batches committed (the cursor: the next batch to run is
/// <paramref name="BatchesDone"/>), the items they moved, and why it failed, if it did.
/// <paramref name="FailedAttempts"/> counts transient failures of the current batch, which is retried.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ProcessStatus(
    [property: Id(0)] string ProcessId,
    [property: Id(1)] ProcessState State,
    [property: Id(2)] long BatchesDone,
    [property: Id(3)] long ItemsDone,
    [property: Id(4)] int FailedAttempts,
    [property: Id(5)] string? Error,
    [property: Id(6)] DateTimeOffset? StartedAt,
    [property: Id(7)] DateTimeOffset? UpdatedAt);
