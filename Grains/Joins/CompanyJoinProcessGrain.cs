using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.History;
using OrleansLicensing.Grains.Joins;
using OrleansLicensing.Grains.Processes;
using OrleansLicensing.Grains.State;

namespace OrleansLicensing.Grains.Grains;

/// <summary>
/// Joins company B into A (R-U3) as a durable process (<see cref="DurableProcessGrain{TPlan}"/>):
/// <list type="number">
/// <item>Batch 0: A records the incoming join and B is locked (it refuses changes, JoinInProgress);
/// B's projects change owner to A (names that clash get a suffix), rights other companies granted
/// to B now name A, and B's devices and keys are listed. No unit moves: projects keep their
/// grains, so their balances and free pools stay where they are.</item>
/// <item>Then one ledger transaction per batch of devices (their company becomes A), then per batch
/// of activation keys (redeeming and owning company become A).</item>
/// <item>Then two sweeps, one transaction each, for devices and keys that entered B's projects under
/// B's name after the listing (a partner's request authorized for B just before its project moved).</item>
/// <item>Last: B's members join A (a user in both keeps A's membership), B's credit debts move to A's
/// account (R-S4, one transaction), B's RMAs become A's (R-D7) and B is deleted.</item>
/// </list>
/// </summary>
public sealed class CompanyJoinProcessGrain(
    [PersistentState("companyJoinProcess", StorageNames.Licensing)] IPersistentState<DurableProcessState<CompanyJoinPlan>> process,
    [PersistentState("companyJoinWork", StorageNames.Licensing)] IPersistentState<CompanyJoinWork> work,
    IOptions<DurableProcessOptions> options,
    IOptions<JoinOptions> joins,
    TimeProvider time,
    ChangeFeed feed,
    ILogger<CompanyJoinProcessGrain> logger) : DurableProcessGrain<CompanyJoinPlan>(process, options, time, logger), ICompanyJoinProcessGrain
{
    private JoinOptions Joins => joins.Value;

    private string ProcessId => this.GetPrimaryKeyString();

    public Task<ProcessStatus> StartAsync(CompanyJoinPlan plan) =>
        plan.SourceCompanyId == plan.TargetCompanyId ? throw LicensingException.Validation("A company cannot be joined into itself.") : BeginAsync(plan);

    public async Task<ProcessStatus> GetStatusForAsync(string companyId) =>
        CurrentPlan?.TargetCompanyId == companyId ? await GetStatusAsync() : throw LicensingException.NotFound("The join");

    protected override async Task<BatchOutcome> RunBatchAsync(CompanyJoinPlan plan, long batch, IdempotencyToken idempotency)
    {
        if (batch == 0)
        {
            return new BatchOutcome(await PrepareAsync(plan), IsLast: false);
        }

        var listed = work.State;
        var repoint = new Repoint(plan.SourceCompanyId, plan.TargetCompanyId);
        var ledger = GrainFactory.GetGrain<ILedgerGrain>(0);
        var index = batch - 1;
        var deviceBatches = Joins.BatchesFor(listed.Devices.Length);
        if (index < deviceBatches)
        {
            var devices = Joins.Slice(listed.Devices, index);
            await ledger.RepointDevicesAsync(repoint, [.. devices.Select(mac => new DeviceRepoint(mac, []))], idempotency);
            return new BatchOutcome(devices.Length, IsLast: false);
        }

        index -= deviceBatches;
        if (index < Joins.BatchesFor(listed.Keys.Length))
        {
            var keys = Joins.Slice(listed.Keys, index);
            await ledger.RepointKeysAsync(repoint, keys, idempotency);
            return new BatchOutcome(keys.Length, IsLast: false);
        }

        index -= Joins.BatchesFor(listed.Keys.Length);
        var snapshot = listed.Snapshot!;
        if (index == 0)
        {
            // A sweep for what entered B's projects under B's name after they were listed: a partner's
            // request (R-P2) that was authorized for B before its project changed owner.
            var late = await LateItemsAsync(snapshot, listed.Devices, project => project.ListDevicesAsync());
            var stillB = await Task.WhenAll(late.Select(async mac => (mac, (await GrainFactory.GetGrain<IDeviceGrain>(mac).GetAsync()).CompanyId == plan.SourceCompanyId)));
            ImmutableArray<DeviceRepoint> sweep = [.. stillB.Where(d => d.Item2).Select(d => new DeviceRepoint(d.mac, []))];
            await ledger.RepointDevicesAsync(repoint, sweep, idempotency);
            return new BatchOutcome(sweep.Length, IsLast: false);
        }

        if (index == 1)
        {
            var late = await LateItemsAsync(snapshot, listed.Keys, async project =>
                (await project.ListRedeemedKeysAsync()).Select(k => k.Key).Concat(await project.ListOwnKeyCodesAsync()).ToImmutableArray());
            var keys = await Task.WhenAll(late.Select(async code => (code, View: await GrainFactory.GetGrain<IActivationKeyGrain>(code).GetAsync())));
            ImmutableArray<string> sweep = [.. keys.Where(k => k.View.AssignedCompanyId == plan.SourceCompanyId || k.View.OwnerCompanyId == plan.SourceCompanyId).Select(k => k.code)];
            await ledger.RepointKeysAsync(repoint, sweep, idempotency);
            return new BatchOutcome(sweep.Length, IsLast: false);
        }

        // Last: the people, then B ends. Each step repeats harmlessly should this batch run again.
        var target = GrainFactory.GetGrain<ICompanyGrain>(plan.TargetCompanyId);
        await target.MergeMembersAsync(snapshot.Members, snapshot.FormerMembers);
        await GrainFactory.GetGrain<ICreditAccountGrain>(plan.TargetCompanyId).AbsorbAsync(plan.SourceCompanyId);
        foreach (var mac in await GrainFactory.GetGrain<ICompanyRmaGrain>(plan.SourceCompanyId).ListAsync())
        {
            await GrainFactory.GetGrain<IRmaGrain>(mac).TransferAsync(plan.SourceCompanyId, plan.TargetCompanyId);
        }

        // B's history is read with A's from now on (by reference, nothing copied; B's log stays); the
        // event's id is the process's, so a re-run of this batch records it once.
        await GrainFactory.GetGrain<IHistoryLogGrain>(plan.TargetCompanyId).AbsorbAsync(plan.SourceCompanyId);
        await feed.RecordAsync(feed.Event(plan.TargetCompanyId, HistoryActions.CompanyJoined, details: ChangeFeed.Details(
            ("companyId", plan.SourceCompanyId), ("projects", snapshot.Projects.Count.ToString(System.Globalization.CultureInfo.InvariantCulture))), id: ChangeFeed.IdFrom(ProcessId, 0)));
        await GrainFactory.GetGrain<ICompanyGrain>(plan.SourceCompanyId).CompleteJoinAsync(ProcessId);
        await GrainFactory.GetGrain<ISearchIndexGrain>(plan.TargetCompanyId).RebuildAsync();
        await target.EndIncomingJoinAsync(ProcessId);
        return new BatchOutcome(snapshot.Members.Length, IsLast: true);
    }

    /// <summary>Items of B's former projects that the work list does not name.</summary>
    private async Task<ImmutableArray<string>> LateItemsAsync(CompanyJoinSnapshot snapshot, ImmutableArray<string> listed, Func<IProjectGrain, Task<ImmutableArray<string>>> items)
    {
        var known = listed.ToHashSet(StringComparer.Ordinal);
        var late = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var projectId in snapshot.Projects.Keys)
        {
            late.UnionWith((await items(GrainFactory.GetGrain<IProjectGrain>(projectId))).Where(item => !known.Contains(item)));
        }

        return [.. late];
    }

    /// <summary>Batch 0: lock B, move its projects and the rights granted to it, list its devices and keys. Every step is idempotent.</summary>
    private async Task<long> PrepareAsync(CompanyJoinPlan plan)
    {
        var source = GrainFactory.GetGrain<ICompanyGrain>(plan.SourceCompanyId);
        var target = GrainFactory.GetGrain<ICompanyGrain>(plan.TargetCompanyId);
        if (work.State.Snapshot is null)
        {
            await target.AcceptIncomingJoinAsync(ProcessId);
            try
            {
                work.State.Snapshot = await source.LockForJoinAsync(plan.TargetCompanyId, ProcessId);
            }
            catch (LicensingException)
            {
                // B refused (it is gone, or busy with another join): nothing changed; A forgets this join.
                await target.EndIncomingJoinAsync(ProcessId);
                throw;
            }

            await work.WriteStateAsync();
        }

        var snapshot = work.State.Snapshot;
        if (work.State.Listed)
        {
            return snapshot.Projects.Count;
        }

        foreach (var (projectId, name) in snapshot.Projects)
        {
            await target.AdoptProjectAsync(projectId, plan.SourceCompanyId, name);
            await source.ReleaseProjectAsync(projectId);
        }

        foreach (var projectId in snapshot.ExternalProjects)
        {
            if (await GrainFactory.GetGrain<IProjectGrain>(projectId).ReplaceRightAsync(plan.SourceCompanyId, plan.TargetCompanyId))
            {
                await target.NoteExternalRightAsync(projectId, granted: true);
            }
        }

        // Listed after the projects changed owner: whatever enters them from now on is A's already.
        var devices = new SortedSet<string>(StringComparer.Ordinal);
        var keys = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var projectId in snapshot.Projects.Keys)
        {
            var project = GrainFactory.GetGrain<IProjectGrain>(projectId);
            devices.UnionWith(await project.ListDevicesAsync());
            keys.UnionWith((await project.ListRedeemedKeysAsync()).Select(k => k.Key));
            keys.UnionWith(await project.ListOwnKeyCodesAsync());
        }

        work.State.Devices = [.. devices];
        work.State.Keys = [.. keys];
        work.State.Listed = true;
        await work.WriteStateAsync();
        return snapshot.Projects.Count;
    }
}
