using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains;
using OrleansLicensing.Grains.Domain;
using OrleansLicensing.Grains.Processes;
using OrleansLicensing.Grains.State;

namespace OrleansLicensing.ClusterTests;

/// <summary>
/// Moves <see cref="Units"/> of one type between two projects of a company, <see cref="UnitsPerBatch"/>
/// per batch. <see cref="CrashAfterBatch"/> names a batch after whose commit the first attempt
/// fails before the cursor is saved, as a crash there would.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record UnitTransferPlan(
    [property: Id(0)] string CompanyId,
    [property: Id(1)] string FromProjectId,
    [property: Id(2)] string ToProjectId,
    [property: Id(3)] string LicenseType,
    [property: Id(4)] int Units,
    [property: Id(5)] int UnitsPerBatch,
    [property: Id(6)] long CrashAfterBatch = -1);

public interface IUnitTransferProcessGrain : IDurableProcessGrain
{
    Task<ProcessStatus> StartAsync(UnitTransferPlan plan);
}

/// <summary>A durable process used only by tests: the shape a project join will have, moving units batch by batch through the ledger.</summary>
public sealed class UnitTransferProcessGrain(
    [PersistentState("unitTransferProcess", StorageNames.Licensing)] IPersistentState<DurableProcessState<UnitTransferPlan>> process,
    IOptions<DurableProcessOptions> options,
    TimeProvider time,
    ILogger<UnitTransferProcessGrain> logger) : DurableProcessGrain<UnitTransferPlan>(process, options, time, logger), IUnitTransferProcessGrain
{
    private bool _crashed;

    public Task<ProcessStatus> StartAsync(UnitTransferPlan plan) => BeginAsync(plan);

    protected override async Task<BatchOutcome> RunBatchAsync(UnitTransferPlan plan, long batch, IdempotencyToken idempotency)
    {
        var done = batch * plan.UnitsPerBatch;
        var units = (int)Math.Min(plan.UnitsPerBatch, plan.Units - done);
        await GrainFactory.GetGrain<ILedgerGrain>(0).TransferBalanceAsync(
            plan.CompanyId, plan.FromProjectId, plan.ToProjectId, LicenseMath.ToMap([KeyValuePair.Create(plan.LicenseType, units)]), idempotency);
        if (batch == plan.CrashAfterBatch && !_crashed)
        {
            _crashed = true;
            throw new InvalidOperationException($"Simulated crash after batch {batch} committed, before its cursor was saved.");
        }

        return new BatchOutcome(units, done + units >= plan.Units);
    }
}
