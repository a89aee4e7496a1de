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

    public Task<ImmutableArray<LicenseLot>> AddLotsAsync(string companyId, ImmutableArray<LicenseLot> newLots)
    {
        if (device.State.CompanyId != companyId)
        {
            throw LicensingException.NotFound("The device");
        }

        return lots.PerformUpdate(state =>
        {
            state.Lots = state.Lots.AddRange(newLots);
            return state.Lots;
        });
    }

    public Task<ImmutableArray<LicenseLot>> GetLotsAsync() => lots.PerformRead(state => state.Lots);

    public async Task RefreshAsync()
    {
        await HardwareAsync();
        var committed = ImmutableArray<LicenseLot>.Empty;
        await transactions.RunTransaction(TransactionOption.Create, async () =>
        {
            committed = await lots.PerformRead(state => state.Lots);
        });
        RebuildAnswer(committed);
    }

    public Task<DevicePollResponse> PollAsync(string deviceSecret, string? ifNoneMatch)
    {
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
        new(Mac, _hardware?.Registration.DeviceType, device.State.CompanyId, device.State.ProjectId, device.State.Name, device.State.Comment, current);
}
