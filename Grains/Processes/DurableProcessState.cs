using OrleansLicensing.Contracts;

namespace OrleansLicensing.Grains.State;

/// <summary>A durable process: its plan, its cursor (the next batch) and its progress.</summary>
[GenerateSerializer]
public sealed class DurableProcessState<TPlan>
    where TPlan : class
{
    [Id(0)] public TPlan? Plan { get; set; }
    [Id(1)] public ProcessState State { get; set; }
    [Id(2)] public long NextBatch { get; set; }
    [Id(3)] public long ItemsDone { get; set; }
    [Id(4)] public int FailedAttempts { get; set; }
    [Id(5)] public string? Error { get; set; }
    [Id(6)] public DateTimeOffset? StartedAt { get; set; }
    [Id(7)] public DateTimeOffset? UpdatedAt { get; set; }
}
