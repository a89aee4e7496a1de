using System.Collections.Immutable;
using Orleans.Transactions.Abstractions;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Domain;
using OrleansLicensing.Grains.State;

namespace OrleansLicensing.Grains.Grains;

/// <summary>
/// A device: its membership (persistent state), its lots (transactional state) and, in memory,
/// the ready-made answer to its poll (R-C3). The poll answer is rebuilt from committed state at
/// activation and whenever the ledger or the vendor tells the grain that its state changed.
/// </summary>
public sealed class DeviceGrain(
    [PersistentState("device", StorageNames.Licensing)] IPersistentState<DeviceState> device,
    [TransactionalState("deviceLots", StorageNames.Licensing)] ITransactionalState<DeviceLotsState> lots,
    ITransactionClient transactions,
    LicenseSigningKey signingKey,
    Catalog catalog,
    TimeProvider time) : Grain, IDeviceGrain
{
    private Task _ready = Task.CompletedTask;

    // Set when a transaction wrote the lots: the cached answer may be stale until a read of
    // committed state. Normally the ledger refreshes right after commit; if that call is lost
    // (its silo died), the next poll refreshes instead, so a commit is never missed.
    private bool _lotsMayHaveChanged;
    private bool _rma;
    private HardwareView? _hardware;
    private ImmutableArray<LicenseLot> _committedLots = [];
    private string? _etag;
    private byte[]? _body;

    private string Mac => this.GetPrimaryKeyString();

    /// <summary>
    /// Starts loading the poll answer without awaiting it: reading transactional state commits
    /// through a call to this grain's own transaction extension, which cannot run until
    /// activation has finished. Every method that needs the answer awaits <see cref="ReadyAsync"/>.
    /// </summary>
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _ready = RefreshAsync();
        return Task.CompletedTask;
    }

    private Task ReadyAsync()
    {
        if (_ready.IsCompletedSuccessfully)
        {
            return Task.CompletedTask;
        }

        if (_ready.IsFaulted || _ready.IsCanceled)
        {
            _ready = RefreshAsync();
        }

        return _ready;
    }

    public async Task<DeviceAddResult> AddToProjectAsync(string companyId, string projectId, string? deviceSecret)
    {
        await ReadyAsync();
        if (await HardwareAsync() is null)
        {
            return new DeviceAddResult(Mac, DeviceAddStatus.Error, ErrorCodes.NotFound);
        }

        if (device.State.CompanyId == companyId)
        {
            return new DeviceAddResult(Mac, DeviceAddStatus.Error, ErrorCodes.AlreadyInCompany);
        }

        // R-D2: a device that is in another company, or holds licenses, changes hands only
        // with proof of possession — its secret.
        var previousCompany = device.State.CompanyId;
        var needsProof = previousCompany is not null || !_committedLots.IsEmpty;
        if (needsProof && !Codes.SecretMatches(deviceSecret, _hardware!.SecretHash))
        {
            return new DeviceAddResult(Mac, DeviceAddStatus.Error, ErrorCodes.DeviceInOtherCompany);
        }

        var previousProject = device.State.ProjectId;
        device.State.CompanyId = companyId;
        device.State.ProjectId = projectId;
        await device.WriteStateAsync();

        if (previousProject is not null)
        {
            await GrainFactory.GetGrain<IProjectGrain>(previousProject).DetachDeviceAsync(Mac);
        }

        await GrainFactory.GetGrain<IProjectGrain>(projectId).AttachDeviceAsync(Mac);
        return previousCompany is null
            ? new DeviceAddResult(Mac, DeviceAddStatus.Added, null)
            : new DeviceAddResult(Mac, DeviceAddStatus.Warning, ErrorCodes.SeveralCompanies);
    }

    public async Task<DeviceView> GetAsync()
    {
        await ReadyAsync();
        await HardwareAsync();
        return View(_committedLots);
    }

    public Task<ImmutableArray<LicenseLot>> AddLotsAsync(string companyId, ImmutableArray<LicenseLot> newLots, bool requireEmpty = false)
    {
        EnsureInCompany(companyId);
        _lotsMayHaveChanged = true;
        return lots.PerformUpdate(state =>
        {
            if (requireEmpty && state.Lots.Any(lot => !IsWarranty(lot)))
            {
                throw new LicensingException(ErrorCodes.TargetHasLicenses, $"{Mac} holds licenses; licenses can be moved only to a device without any (warranty extensions aside).");
            }

            state.Lots = state.Lots.AddRange(newLots);
            return state.Lots;
        });
    }

    public Task<ImmutableArray<LicenseLot>> TakeLotsAsync(string companyId, LotSelection selection, ImmutableArray<string> lotIds)
    {
        EnsureInCompany(companyId);
        _lotsMayHaveChanged = true;
        return lots.PerformUpdate(state =>
        {
            var wanted = lotIds.ToHashSet(StringComparer.Ordinal);
            Func<LicenseLot, bool> selected = selection switch
            {
                LotSelection.Pbx => IsPbx,
                LotSelection.AllButWarranty => lot => !IsWarranty(lot),
                _ => lot => wanted.Contains(lot.LotId),
            };
            var taken = state.Lots.Where(selected).ToImmutableArray();
            if (selection == LotSelection.ByIds && taken.Length != wanted.Count)
            {
                throw LicensingException.NotFound("A named lot of the device");
            }

            if (taken.Any(IsWarranty))
            {
                throw new LicensingException(ErrorCodes.ConsistencyViolation, "Warranty extensions never leave the device (R-L7).");
            }

            state.Lots = state.Lots.RemoveAll(lot => selected(lot));
            if (selection == LotSelection.AllButWarranty && !taken.IsEmpty)
            {
                state.Rma = true;
            }

            return taken;
        });
    }

    public Task<ImmutableArray<LicenseLot>> GetLotsAsync() => lots.PerformRead(state => state.Lots);

    public async Task<Holding> GetHoldingAsync()
    {
        var current = await lots.PerformRead(state => state.Lots);
        return new Holding(HolderKinds.Device, LicenseMath.ToMap(current.Select(l => KeyValuePair.Create(l.Type, l.Units))));
    }

    public async Task RefreshAsync()
    {
        await HardwareAsync();
        _lotsMayHaveChanged = false;
        var committed = ImmutableArray<LicenseLot>.Empty;
        await transactions.RunTransaction(TransactionOption.Create, async () =>
        {
            (committed, _rma) = await lots.PerformRead(state => (state.Lots, state.Rma));
        });
        RebuildAnswer(committed);
    }

    public Task<DevicePollResponse> PollAsync(string deviceSecret, string? ifNoneMatch)
    {
        if (_lotsMayHaveChanged && _ready.IsCompleted)
        {
            _ready = RefreshAsync();
        }

        if (!_ready.IsCompletedSuccessfully || _hardware is null)
        {
            return PollWhenReadyAsync(deviceSecret, ifNoneMatch);
        }

        if (_hardware is null || !Codes.SecretMatches(deviceSecret, _hardware.SecretHash))
        {
            return Task.FromResult(new DevicePollResponse(DevicePollStatus.Unauthorized, null, null));
        }

        return Task.FromResult(DeviceLicenseAnswer.Matches(ifNoneMatch, _etag!)
            ? new DevicePollResponse(DevicePollStatus.NotModified, _etag, null)
            : new DevicePollResponse(DevicePollStatus.Ok, _etag, _body));
    }

    private async Task<DevicePollResponse> PollWhenReadyAsync(string deviceSecret, string? ifNoneMatch)
    {
        await ReadyAsync();
        if (await HardwareAsync() is not { } hardware || !Codes.SecretMatches(deviceSecret, hardware.SecretHash))
        {
            return new DevicePollResponse(DevicePollStatus.Unauthorized, null, null);
        }

        return await PollAsync(deviceSecret, ifNoneMatch);
    }

    /// <summary>The vendor's registration; fetched until there is one, then kept (it never changes).</summary>
    private async ValueTask<HardwareView?> HardwareAsync() =>
        _hardware ??= await GrainFactory.GetGrain<IHardwareGrain>(Mac).GetAsync();

    private void RebuildAnswer(ImmutableArray<LicenseLot> committed)
    {
        _committedLots = committed;
        var version = catalog.CurrentVersion(DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime)).Version;
        var etag = DeviceLicenseAnswer.ComputeETag(Mac, version, committed, testModeUntil: null);
        if (etag == _etag)
        {
            return;
        }

        var document = LicenseDocument.Create(Mac, version, committed, testModeUntil: null, signingKey.Key);
        _body = DeviceLicenseAnswer.CreateBody(Mac, committed, testModeUntil: null, document);
        _etag = etag;
    }

    private DeviceView View(ImmutableArray<LicenseLot> current) =>
        new(Mac, _hardware?.Registration.DeviceType, device.State.CompanyId, device.State.ProjectId, device.State.Name, device.State.Comment, current, _rma);

    private void EnsureInCompany(string companyId)
    {
        if (device.State.CompanyId != companyId)
        {
            throw LicensingException.NotFound("The device");
        }
    }

    private bool IsWarranty(LicenseLot lot) => catalog.TryGetLicenseType(lot.Type, out var type) && type.Category == LicenseCategory.Warranty;

    private bool IsPbx(LicenseLot lot) => catalog.TryGetLicenseType(lot.Type, out var type) && type.Category is LicenseCategory.PbxPackage or LicenseCategory.PbxFeature;
}
