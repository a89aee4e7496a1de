using System.Collections.Concurrent;
using System.Collections.Immutable;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Domain;
using OrleansLicensing.Grains.Legacy;
using OrleansLicensing.Grains.Processes;
using OrleansLicensing.Grains.State;

namespace OrleansLicensing.Grains.Grains;

/// <summary>
/// Imports legacy units into a project (R-I2) as a durable process (<see cref="DurableProcessGrain{TPlan}"/>):
/// <list type="number">
/// <item>Batch 0: the claimed group's balance, when asked, as ONE ledger move (minted, source
/// Import); a balance imported before is reported (AlreadyImported) and the devices still follow.</item>
/// <item>Then per batch of <see cref="LegacyImportOptions.DevicesPerBatch"/> devices: each device is
/// checked (in the export and the group, not imported, not already in the company) and added to the
/// project — registered as hardware first if the vendor never registered it — then ONE ledger move
/// mints the batch's licenses onto the devices. The batch's results replace its entry in the work
/// state, so a re-run batch (after a crash) reports once; the ledger answers a re-run move from its
/// idempotency record.</item>
/// </list>
/// </summary>
public sealed class LegacyImportProcessGrain(
    [PersistentState("legacyImportProcess", StorageNames.Licensing)] IPersistentState<DurableProcessState<LegacyImportPlan>> process,
    [PersistentState("legacyImportWork", StorageNames.Licensing)] IPersistentState<LegacyImportWork> work,
    [PersistentState("legacyImportMacs", StorageNames.Licensing)] IPersistentState<LegacyImportMacsState> listed,
    IOptions<DurableProcessOptions> options,
    IOptions<LegacyImportOptions> legacy,
    TimeProvider time,
    [FromKeyedServices(LicensingClock.Key)] TimeProvider clock,
    Catalog catalog,
    ILogger<LegacyImportProcessGrain> logger) : DurableProcessGrain<LegacyImportPlan>(process, options, time, logger), ILegacyImportProcessGrain
{
    /// <summary>Order number and ship date of the hardware record made for an old MAC the vendor never registered.</summary>
    public const string ImportOrderNumber = "LEGACY-IMPORT";

    private readonly LicenseConsistency _consistency = new(catalog);

    private LegacyImportOptions Legacy => legacy.Value;

    private ILedgerGrain Ledger => GrainFactory.GetGrain<ILedgerGrain>(0);

    /// <summary>
    /// The MACs to import are written once, in a state of their own; the process's plan (saved
    /// with its cursor after every batch, and returned with every status) carries none of them, so
    /// neither grows with the import.
    /// </summary>
    public async Task<ProcessStatus> StartAsync(LegacyImportPlan plan)
    {
        if (CurrentPlan is not null)
        {
            return listed.State.Macs.SequenceEqual(plan.Macs)
                ? await BeginAsync(CurrentPlan)
                : throw new LicensingException(ErrorCodes.Conflict, "This import was started with other devices.");
        }

        listed.State.Macs = plan.Macs;
        await listed.WriteStateAsync();
        return await BeginAsync(plan with { Macs = [] });
    }

    public async Task<LegacyImportOutcome> GetOutcomeAsync(string companyId, int offset, int limit)
    {
        if (CurrentPlan is not { } plan || plan.CompanyId != companyId)
        {
            throw LicensingException.NotFound("The import");
        }

        // Batch b (1, 2, …) holds the results of the MACs from (b − 1) · DevicesPerBatch on: read only the batches of the page.
        var page = new List<LegacyDeviceResult>();
        var size = Legacy.DevicesPerBatch;
        for (var batch = (offset / size) + 1L; page.Count < limit && work.State.Counts.ContainsKey(batch); batch++)
        {
            var results = (await GrainFactory.GetGrain<ILegacyImportBatchGrain>(BatchKey(batch)).GetAsync()).OrderBy(r => r.Mac, StringComparer.Ordinal);
            page.AddRange(results.Skip(batch == (offset / size) + 1 ? offset % size : 0).Take(limit - page.Count));
        }

        var counts = work.State.Counts.Values.SelectMany(c => c).GroupBy(c => c.Key, StringComparer.Ordinal).ToImmutableSortedDictionary(g => g.Key, g => g.Sum(c => c.Value), StringComparer.Ordinal);
        return new LegacyImportOutcome(await GetStatusAsync(), plan, work.State.Balance, [.. page])
        {
            BalanceCode = work.State.BalanceCode,
            Counts = counts,
            Offset = offset,
        };
    }

    private string BatchKey(long batch) => $"{this.GetPrimaryKeyString()}/{batch}";

    protected override async Task<BatchOutcome> RunBatchAsync(LegacyImportPlan plan, long batch, IdempotencyToken idempotency)
    {
        var all = listed.State.Macs;
        var batches = (all.Length + Legacy.DevicesPerBatch - 1) / Legacy.DevicesPerBatch;
        if (batch == 0)
        {
            await ImportBalanceAsync(plan, idempotency);
            return new BatchOutcome(0, IsLast: batches == 0);
        }

        var macs = all.Skip(checked((int)(batch - 1) * Legacy.DevicesPerBatch)).Take(Legacy.DevicesPerBatch).ToImmutableArray();
        var results = await ImportDevicesAsync(plan, macs, idempotency);
        await GrainFactory.GetGrain<ILegacyImportBatchGrain>(BatchKey(batch)).SetAsync(results);
        work.State.Counts = work.State.Counts.SetItem(batch, results.GroupBy(r => r.Status, StringComparer.Ordinal).ToImmutableSortedDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal));
        await work.WriteStateAsync();
        return new BatchOutcome(macs.Length, IsLast: batch == batches);
    }

    private async Task ImportBalanceAsync(LegacyImportPlan plan, IdempotencyToken idempotency)
    {
        if (!plan.IncludeBalance || plan.GroupId is null || work.State.Balance is not null || work.State.BalanceCode is not null)
        {
            return;
        }

        try
        {
            work.State.Balance = await Ledger.ImportLegacyBalanceAsync(plan.CompanyId, plan.ProjectId, plan.GroupId, idempotency);
        }
        catch (LicensingException e) when (e.Code == ErrorCodes.AlreadyImported)
        {
            work.State.BalanceCode = e.Code;
        }

        await work.WriteStateAsync();
    }

    private async Task<ImmutableArray<LegacyDeviceResult>> ImportDevicesAsync(LegacyImportPlan plan, ImmutableArray<string> macs, IdempotencyToken idempotency)
    {
        var refused = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        var candidates = await CandidatesAsync(plan, macs, refused);
        await RegisterHardwareAsync(candidates);

        var attach = new ConcurrentBag<string>();
        await LegacyBatches.ForEachAsync(candidates, Legacy.Parallelism, async old =>
        {
            var (code, added) = await PrepareAsync(plan, old);
            if (code is not null)
            {
                refused[old.Mac] = code;
            }
            else if (added)
            {
                attach.Add(old.Mac);
            }
        });

        if (!attach.IsEmpty)
        {
            await GrainFactory.GetGrain<IProjectGrain>(plan.ProjectId).AttachDevicesAsync([.. attach]);
        }

        var ready = macs.Where(mac => !refused.ContainsKey(mac)).ToImmutableArray();
        var imported = ready.IsEmpty ? [] : await Ledger.ImportLegacyDevicesAsync(plan.CompanyId, plan.ProjectId, ready, idempotency);
        return [.. imported, .. refused.Select(r => new LegacyDeviceResult(r.Key, LegacyDeviceStatus.Error, r.Value, []))];
    }

    /// <summary>
    /// The batch's old devices to check and add to the project: in the export and the group and not
    /// imported. A device imported elsewhere goes to <paramref name="refused"/>; one imported into
    /// this project is neither (the ledger move decides). The marks are read per MAC block.
    /// </summary>
    private async Task<ImmutableArray<LegacyDevice>> CandidatesAsync(LegacyImportPlan plan, ImmutableArray<string> macs, ConcurrentDictionary<string, string> refused)
    {
        var exported = new ConcurrentDictionary<string, LegacyExportedDevice>(StringComparer.Ordinal);
        await LegacyBatches.ForEachAsync(macs, Legacy.Parallelism, async mac =>
        {
            var old = await GrainFactory.GetGrain<ILegacyDeviceGrain>(mac).GetExportedAsync();
            if (old is null || (plan.GroupId is { } group && !old.Groups.Contains(group)))
            {
                refused[mac] = ErrorCodes.NotFound;
            }
            else
            {
                exported[mac] = old;
            }
        });

        var blocks = await Task.WhenAll(exported.Keys.GroupBy(LegacyImportMarks.BlockOf, StringComparer.Ordinal)
            .Select(block => GrainFactory.GetGrain<ILegacyImportMarkGrain>(block.Key).GetAsync([.. block])));
        var marked = blocks.SelectMany(marks => marks).ToDictionary(StringComparer.Ordinal);
        foreach (var (mac, mark) in marked)
        {
            // Imported into this project: perhaps by this very batch before a crash, whose move
            // the ledger then answers from its idempotency record; else the move finds it taken.
            if (mark.CompanyId != plan.CompanyId || mark.ProjectId != plan.ProjectId)
            {
                refused[mac] = ErrorCodes.AlreadyImported;
            }
        }

        return [.. exported.Values
            .Where(old => !refused.ContainsKey(old.Device.Mac) && !marked.ContainsKey(old.Device.Mac))
            .Select(old => old.Device)
            .OrderBy(d => d.Mac, StringComparer.Ordinal)];
    }

    /// <summary>
    /// The hardware records the old device table implies, for the batch's MACs the vendor never
    /// registered, at once (the order index LEGACY-IMPORT is written once per batch); a MAC
    /// registered meanwhile keeps its record.
    /// </summary>
    private async Task RegisterHardwareAsync(ImmutableArray<LegacyDevice> candidates)
    {
        var missing = new ConcurrentBag<HardwareRegistration>();
        await LegacyBatches.ForEachAsync(candidates, Legacy.Parallelism, async old =>
        {
            if (await GrainFactory.GetGrain<IHardwareGrain>(old.Mac).GetAsync() is null)
            {
                missing.Add(ImportRegistration(old));
            }
        });

        if (!missing.IsEmpty)
        {
            await GrainFactory.GetGrain<IHardwareRegistrarGrain>(0).RegisterEachAsync([.. missing]);
        }
    }

    /// <summary>
    /// Checks one device and makes it a member of the project: the error code that refuses it, or
    /// none and whether it was added now (the project's device list then follows).
    /// </summary>
    private async Task<(string? Code, bool Added)> PrepareAsync(LegacyImportPlan plan, LegacyDevice old)
    {
        var mac = old.Mac;
        var deviceType = await EnsureHardwareAsync(old);
        var device = GrainFactory.GetGrain<IDeviceGrain>(mac);
        var view = await device.GetAsync();

        // In the target project without licenses: added by an earlier run of this batch, or by the
        // owner's single-MAC import (which proved possession first). Anything else in the company
        // is the seed's "Already In Company": remove the device from its project first.
        var member = view.CompanyId == plan.CompanyId;
        if (member && (view.ProjectId != plan.ProjectId || !view.Lots.IsEmpty))
        {
            return (ErrorCodes.AlreadyInCompany, false);
        }

        try
        {
            // The registered type and any lots the device holds decide, so one device never aborts its batch's move.
            _consistency.Check(deviceType, [.. view.Lots, .. LegacyLots.Of(old)]);
        }
        catch (LicensingException e)
        {
            return (e.Code, false);
        }

        if (member)
        {
            return (null, false);
        }

        var added = await device.AddToProjectAsync(plan.CompanyId, plan.ProjectId, deviceSecret: null, attach: false);
        return added.Status == DeviceAddStatus.Error ? (added.Code, false) : (null, true);
    }

    /// <summary>An old MAC the vendor never registered gets the hardware record the old device table implies (device type from the export).</summary>
    private async Task<string> EnsureHardwareAsync(LegacyDevice old)
    {
        var hardware = GrainFactory.GetGrain<IHardwareGrain>(old.Mac);
        if (await hardware.GetAsync() is { } registered)
        {
            return registered.Registration.DeviceType;
        }

        try
        {
            await hardware.RegisterAsync(ImportRegistration(old));
        }
        catch (LicensingException e) when (e.Code == ErrorCodes.HardwareAlreadyRegistered)
        {
            // Registered meanwhile (by the vendor, or by a concurrent import): that record stands.
            return (await hardware.GetAsync())?.Registration.DeviceType ?? old.DeviceType;
        }

        return old.DeviceType;
    }

    /// <summary>Order number <see cref="ImportOrderNumber"/>, ship date the earliest bind date of the device's licenses.</summary>
    private HardwareRegistration ImportRegistration(LegacyDevice old)
    {
        var shipped = old.Licenses.IsEmpty ? DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime) : old.Licenses.Min(l => l.BindDate);
        return new HardwareRegistration(old.Mac, old.DeviceType, ImportOrderNumber, shipped, null);
    }
}
