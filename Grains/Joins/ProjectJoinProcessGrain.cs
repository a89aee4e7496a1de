using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.History;
using OrleansLicensing.Grains.Domain;
using OrleansLicensing.Grains.Joins;
using OrleansLicensing.Grains.Processes;
using OrleansLicensing.Grains.State;

namespace OrleansLicensing.Grains.Grains;

/// <summary>
/// Joins project A into project B of the same company (R-P4) as a durable process
/// (<see cref="DurableProcessGrain{TPlan}"/>):
/// <list type="number">
/// <item>Batch 0: A is locked in the company (its routes answer JoinInProgress), the plan is fixed
/// (A's devices and keys, and the SSA quote when B is under SSA), then ONE ledger transaction moves
/// A's balance, free pool and key records to B and pays the SSC from B's balance. A refusal here
/// (InsufficientSsc, ProjectHasExternalRights) unlocks A: nothing moved.</item>
/// <item>Then one ledger transaction per batch of devices (project A → B, the paid lots get B's
/// SSA end), then per batch of activation keys (redeeming/owning project A → B).</item>
/// <item>Last: A is closed (the emptiness check of R-P3, in a transaction) and deleted.</item>
/// </list>
/// </summary>
public sealed class ProjectJoinProcessGrain(
    [PersistentState("projectJoinProcess", StorageNames.Licensing)] IPersistentState<DurableProcessState<ProjectJoinPlan>> process,
    [PersistentState("projectJoinWork", StorageNames.Licensing)] IPersistentState<ProjectJoinWork> work,
    IOptions<DurableProcessOptions> options,
    IOptions<JoinOptions> joins,
    Catalog catalog,
    TimeProvider time,
    ChangeFeed feed,
    ILogger<ProjectJoinProcessGrain> logger) : DurableProcessGrain<ProjectJoinPlan>(process, options, time, logger), IProjectJoinProcessGrain
{
    public const string SscType = "SSC";

    private JoinOptions Joins => joins.Value;

    private string ProcessId => this.GetPrimaryKeyString();

    private ILedgerGrain Ledger => GrainFactory.GetGrain<ILedgerGrain>(0);

    public async Task<ProcessStatus> StartAsync(ProjectJoinPlan plan)
    {
        if (CurrentPlan is null)
        {
            // What can be refused before anything moves is refused here, synchronously; batch 0 checks again under the lock.
            var preview = await new ProjectJoinPlanner(GrainFactory, catalog).PreviewAsync(plan.CompanyId, plan.SourceProjectId, plan.TargetProjectId, plan.CalculationDate);
            await EnsureSscSufficesAsync(preview);
        }

        return await BeginAsync(plan);
    }

    public async Task<ProcessStatus> GetStatusForAsync(string companyId) =>
        CurrentPlan?.CompanyId == companyId ? await GetStatusAsync() : throw LicensingException.NotFound("The join");

    protected override async Task<BatchOutcome> RunBatchAsync(ProjectJoinPlan plan, long batch, IdempotencyToken idempotency)
    {
        if (batch == 0)
        {
            await MoveFundsAsync(plan, idempotency);
            return new BatchOutcome(1, IsLast: false);
        }

        var fixedPlan = work.State.Plan!;
        var repoint = new Repoint(plan.CompanyId, plan.CompanyId, plan.SourceProjectId, plan.TargetProjectId, fixedPlan.SsaEndDate);
        var source = GrainFactory.GetGrain<IProjectGrain>(plan.SourceProjectId);
        var index = batch - 1;
        var deviceBatches = Joins.BatchesFor(fixedPlan.Devices.Length);
        if (index < deviceBatches)
        {
            var devices = Joins.Slice(fixedPlan.Devices, index);
            var extend = fixedPlan.Ssa.ToLookup(lot => lot.Mac, lot => lot.LotId, StringComparer.Ordinal);
            var moved = await Ledger.RepointDevicesAsync(repoint, [.. devices.Select(mac => new DeviceRepoint(mac, [.. extend[mac]]))], idempotency);

            // The projects' device indexes follow the committed membership: the target's first, so a device is never in neither.
            var target = GrainFactory.GetGrain<IProjectGrain>(plan.TargetProjectId);
            foreach (var mac in moved)
            {
                await target.AttachDeviceAsync(mac);
            }

            foreach (var mac in devices)
            {
                await source.DetachDeviceAsync(mac);
            }

            return new BatchOutcome(devices.Length, IsLast: false);
        }

        index -= deviceBatches;
        var keys = fixedPlan.RedeemedKeys.AddRange(fixedPlan.OwnKeys).Distinct().ToImmutableArray();
        if (index < Joins.BatchesFor(keys.Length))
        {
            var slice = Joins.Slice(keys, index);
            await Ledger.RepointKeysAsync(repoint, slice, idempotency);
            return new BatchOutcome(slice.Length, IsLast: false);
        }

        // Last: A is empty now; the close checks it in a transaction (R-P3), then A is gone.
        await Ledger.CloseProjectAsync(plan.SourceProjectId);
        await source.MarkDeletedAsync();
        await GrainFactory.GetGrain<ICompanyGrain>(plan.CompanyId).EndProjectJoinAsync(plan.SourceProjectId, ProcessId, deleted: true);
        await feed.RecordAsync(feed.Event(plan.CompanyId, HistoryActions.ProjectJoined, plan.TargetProjectId, details: ChangeFeed.Details(
            ("fromProjectId", plan.SourceProjectId)), id: ChangeFeed.IdFrom(ProcessId, 0)));
        return new BatchOutcome(0, IsLast: true);
    }

    /// <summary>Batch 0: lock A, fix the plan, move the funds and pay the SSC in one transaction; a refusal unlocks A.</summary>
    private async Task MoveFundsAsync(ProjectJoinPlan plan, IdempotencyToken idempotency)
    {
        var company = GrainFactory.GetGrain<ICompanyGrain>(plan.CompanyId);
        await company.LockProjectForJoinAsync(plan.SourceProjectId, plan.TargetProjectId, ProcessId);
        try
        {
            if (work.State.Plan is null)
            {
                work.State.Plan = await new ProjectJoinPlanner(GrainFactory, catalog).PreviewAsync(plan.CompanyId, plan.SourceProjectId, plan.TargetProjectId, plan.CalculationDate);
                await work.WriteStateAsync();
            }

            await Ledger.JoinProjectFundsAsync(plan.SourceProjectId, plan.TargetProjectId, SscToPay(work.State.Plan), idempotency);
        }
        catch (LicensingException e) when (e.Code != ErrorCodes.TransientConflict)
        {
            await company.EndProjectJoinAsync(plan.SourceProjectId, ProcessId, deleted: false);
            throw;
        }
    }

    /// <summary>InsufficientSsc unless the two projects' SSC (the source's joins the target's before it pays) cover the quote.</summary>
    private async Task EnsureSscSufficesAsync(ProjectJoinPreview preview)
    {
        if (preview.TotalSsc == 0)
        {
            return;
        }

        var available = (await GrainFactory.GetGrain<IProjectGrain>(preview.TargetProjectId).GetBalanceAsync()).GetValueOrDefault(SscType)
            + preview.Balance.GetValueOrDefault(SscType);
        if (available < preview.TotalSsc)
        {
            throw new LicensingException(
                ErrorCodes.InsufficientSsc,
                $"Bringing the licenses to the SSA end costs {preview.TotalSsc} SSC; the projects hold {available}.",
                ImmutableDictionary<string, string[]>.Empty.Add("shortfall", [$"{SscType}={preview.TotalSsc - available}"]));
        }
    }

    private static ImmutableSortedDictionary<string, int> SscToPay(ProjectJoinPreview plan) =>
        plan.TotalSsc == 0 ? LicenseMath.Empty : LicenseMath.ToMap([KeyValuePair.Create(SscType, checked((int)plan.TotalSsc))]);
}
