using System.Collections.Immutable;
using System.Runtime.ExceptionServices;
using Orleans.Transactions;
using Orleans.Transactions.Abstractions;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Domain;
using OrleansLicensing.Grains.History;
using OrleansLicensing.Grains.State;

namespace OrleansLicensing.Grains.Grains;

/// <summary>
/// A device: its lots and its membership (company, project) in transactional state, its name in
/// persistent state and, in memory, the ready-made answer to its poll (R-C3). The poll answer is
/// built from committed state at activation; afterwards it never waits for a transaction: each
/// write remembers, in memory and keyed by its transaction, the state it wrote, and the ledger's
/// <see cref="CommittedAsync"/> after the commit turns that state into the answer.
/// </summary>
/// <remarks>
/// The membership shares the lots' lock so that a unit move that depends on it (which pool, which
/// balance, whether the device is the company's at all) is checked serializably: membership
/// changes run as transactions of their own, inside this grain's turn. Because such a change waits
/// for the lock in this (non-reentrant) grain, a transaction must call this grain at most once
/// while it holds the lock — a second call would queue behind the change that waits for it.
/// </remarks>
public sealed class DeviceGrain(
    [PersistentState("device", StorageNames.Licensing)] IPersistentState<DeviceState> device,
    [TransactionalState("deviceLots", StorageNames.Licensing)] ITransactionalState<DeviceLotsState> lots,
    ITransactionClient transactions,
    LicenseSigningKey signingKey,
    Catalog catalog,
    TimeProvider time,
    ChangeFeed feed,
    DevicePollAnswers answers) : Grain, IDeviceGrain
{
    private const int MaxMembershipAttempts = 6;

    /// <summary>How long a written state may wait for its commit notice before a poll reads committed state instead.</summary>
    private static readonly TimeSpan NoticeGrace = TimeSpan.FromSeconds(1);

    private readonly LicenseConsistency _consistency = new(catalog);
    private Task _ready = Task.CompletedTask;

    // The states written by transactions that have not been reported committed, by transaction.
    // The ledger reports a commit right after it (CommittedAsync). If that notice is lost (its
    // silo died) or the transaction aborted, a poll that finds an entry older than NoticeGrace
    // starts a read of committed state in the background, so a commit is never missed.
    private readonly Dictionary<Guid, Written> _written = [];
    private Task _catchUp = Task.CompletedTask;
    private long _answerRevision = -1;
    private bool _rma;
    private bool _noDowngrade;
    private ImmutableSortedDictionary<string, int> _notReturnable = ImmutableSortedDictionary<string, int>.Empty;
    private DeviceMembership _membership = DeviceMembership.None;
    private HardwareView? _hardware;
    private ImmutableArray<LicenseLot> _committedLots = [];
    private string? _etag;
    private byte[]? _body;
    private bool _answerStale;

    private string Mac => this.GetPrimaryKeyString();

    /// <summary>
    /// Starts loading the poll answer without awaiting it: reading transactional state commits
    /// through a call to this grain's own transaction extension, which cannot run until
    /// activation has finished. Every method that needs the answer awaits <see cref="ReadyAsync"/>.
    /// </summary>
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _ready = ReadCommittedAsync();
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        answers.Withdraw(Mac);
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
            _ready = ReadCommittedAsync();
        }

        return _ready;
    }

    public async Task<DeviceAddResult> AddToProjectAsync(string companyId, string projectId, string? deviceSecret, bool attach = true)
    {
        await ReadyAsync();
        if (await HardwareAsync() is not { } hardware)
        {
            return new DeviceAddResult(Mac, DeviceAddStatus.Error, ErrorCodes.NotFound);
        }

        string? refusal = null;
        var claimed = false;
        DeviceMembership? Decide(DeviceLotsState state)
        {
            var current = MembershipOf(state);
            if (current.CompanyId == companyId)
            {
                refusal = ErrorCodes.AlreadyInCompany;
                return null;
            }

            // R-D2: a device that is in another company, or holds licenses, changes hands only
            // with proof of possession — its secret, or the device's own claim for this company.
            var needsProof = (current.CompanyId is not null || !state.Lots.IsEmpty) && !(current.CompanyId is null && current.ReleasedBy == companyId);
            if (needsProof && !claimed && !Codes.SecretMatches(deviceSecret, hardware.SecretHash))
            {
                refusal = ErrorCodes.DeviceInOtherCompany;
                return null;
            }

            refusal = null;
            return new DeviceMembership(companyId, projectId);
        }

        var (before, changed) = await ChangeMembershipAsync(Decide, attach);
        if (!changed && refusal == ErrorCodes.DeviceInOtherCompany)
        {
            // Only when the secret did not prove it: a claim the device made through the device API.
            var claim = GrainFactory.GetGrain<IDeviceClaimGrain>(Mac);
            if (await claim.IsClaimedByAsync(companyId))
            {
                claimed = true;
                (before, changed) = await ChangeMembershipAsync(Decide, attach);
                if (changed)
                {
                    await claim.ConsumeAsync(companyId);
                }
            }
        }

        if (!changed)
        {
            return new DeviceAddResult(Mac, DeviceAddStatus.Error, refusal);
        }

        if (before.CompanyId is { } previous && previous != companyId)
        {
            // The company that lost the device records it, and its search index forgets the device.
            await feed.RecordAsync(feed.Event(previous, HistoryActions.DeviceTakenOver, before.ProjectId, Mac));
        }

        return before.CompanyId is null
            ? new DeviceAddResult(Mac, DeviceAddStatus.Added, null)
            : new DeviceAddResult(Mac, DeviceAddStatus.Warning, ErrorCodes.SeveralCompanies);
    }

    public async Task<DeviceView> MoveToProjectAsync(string companyId, string projectId)
    {
        await ReadyAsync();
        var target = await GrainFactory.GetGrain<IProjectGrain>(projectId).GetAsync();
        if (target.CompanyId != companyId)
        {
            throw LicensingException.NotFound("The project");
        }

        var (before, changed) = await ChangeMembershipAsync(state =>
        {
            var current = InCompany(state, companyId);
            return current.ProjectId == projectId ? null : current with { ProjectId = projectId };
        });
        if (changed)
        {
            // In both projects' history; the index notice is one-way, so its read of this device waits for this turn, not on it.
            await feed.RecordAsync(
                feed.Event(companyId, HistoryActions.DeviceMoved, before.ProjectId, Mac, ChangeFeed.Details(("to", projectId))),
                feed.Event(companyId, HistoryActions.DeviceMoved, projectId, Mac, ChangeFeed.Details(("from", before.ProjectId))));
        }

        return View(_committedLots);
    }

    public async Task<DeviceView> GetAsync()
    {
        await ReadyAsync();
        CatchUpIfOverdue();
        await HardwareAsync();
        return View(_committedLots);
    }

    public async Task<DeviceLotChange> AddLotsAsync(string companyId, ImmutableArray<LicenseLot> newLots, bool requireEmpty = false, string? requiredProjectId = null, ConsistencyScope? scope = null)
    {
        var transactionId = CurrentTransaction;
        var deviceType = (await HardwareAsync())?.Registration.DeviceType;
        return await lots.PerformUpdate(state =>
        {
            var change = Receive(state, companyId, newLots, requireEmpty, requiredProjectId, deviceType, scope);
            state.Lots = change.Lots;
            Remember(transactionId, state);
            return change;
        });
    }

    public Task<string?> LockAsync(string companyId) =>
        lots.PerformUpdate(state => InCompany(state, companyId).ProjectId);

    public async Task<DeviceLotChange> PreviewLotsAsync(string companyId, ImmutableArray<LicenseLot> newLots, ConsistencyScope? scope = null)
    {
        var deviceType = (await HardwareAsync())?.Registration.DeviceType;
        return await lots.PerformRead(state => Receive(state, companyId, newLots, requireEmpty: false, requiredProjectId: null, deviceType, scope));
    }

    public Task<DeviceLotChange> TakeLotsAsync(string companyId, LotSelection selection, ImmutableArray<string> lotIds)
    {
        var transactionId = CurrentTransaction;
        return lots.PerformUpdate(state =>
        {
            var membership = InCompany(state, companyId);
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

            Remember(transactionId, state);
            return new DeviceLotChange(membership.ProjectId, taken);
        });
    }

    public Task<bool> RepointAsync(Repoint repoint, ImmutableArray<string> extendLotIds)
    {
        var transactionId = CurrentTransaction;
        return lots.PerformUpdate(state =>
        {
            var current = MembershipOf(state);
            if (current.CompanyId != repoint.FromCompanyId || (repoint.FromProjectId is not null && current.ProjectId != repoint.FromProjectId))
            {
                return false;
            }

            state.Membership = new DeviceMembership(repoint.ToCompanyId, repoint.ToProjectId ?? current.ProjectId);
            if (repoint.SsaEndDate is { } end && !extendLotIds.IsDefaultOrEmpty)
            {
                var extend = extendLotIds.ToHashSet(StringComparer.Ordinal);
                state.Lots = [.. state.Lots.Select(lot => extend.Contains(lot.LotId) ? lot with { SsaEndDate = end } : lot)];
            }

            Remember(transactionId, state);
            return true;
        });
    }

    public Task<ImmutableArray<LicenseLot>> ExtendSsaAsync(string companyId, string projectId, DateOnly endDate, ImmutableArray<string> excludedLotIds)
    {
        var transactionId = CurrentTransaction;
        var excluded = excludedLotIds.IsDefault ? [] : excludedLotIds.ToHashSet(StringComparer.Ordinal);
        return lots.PerformUpdate(state =>
        {
            var membership = MembershipOf(state);
            if (membership.CompanyId != companyId || membership.ProjectId != projectId)
            {
                return ImmutableArray<LicenseLot>.Empty;
            }

            var before = state.Lots;
            state.Lots = [.. before.Select(lot =>
                excluded.Contains(lot.LotId) || !SscCalculator.CarriesSsc(catalog, lot.Type) || lot.SsaEndDate >= endDate
                    ? lot
                    : lot with { SsaEndDate = endDate })];
            Remember(transactionId, state);
            return before;
        });
    }

    public Task<ImmutableArray<LicenseLot>> GetLotsAsync() => lots.PerformRead(state => state.Lots);

    public Task ReadAllStatesAsync() => lots.PerformRead(_ => 0);

    public async Task<Holding> GetHoldingAsync()
    {
        var current = await lots.PerformRead(state => state.Lots);
        return new Holding(HolderKinds.Device, LicenseMath.ToMap(current.Select(l => KeyValuePair.Create(l.Type, l.Units))));
    }

    public Task CommittedAsync(Guid transactionId)
    {
        if (_written.Remove(transactionId, out var written))
        {
            Adopt(written);
        }

        PublishAnswer();
        return Task.CompletedTask;
    }

    /// <summary>
    /// Reads committed state in a read transaction of its own and adopts it. Used at activation
    /// and, in the background, when a written state waited too long for its commit notice.
    /// Written states recorded before the read started are settled by it: the read waited for
    /// their transactions' write locks, so it saw them committed or aborted.
    /// </summary>
    private async Task ReadCommittedAsync()
    {
        await HardwareAsync();
        await LoadTestModeAsync();
        await LoadTestLicenseAsync();
        var started = time.GetTimestamp();
        (long Revision, ImmutableArray<LicenseLot> Lots, bool Rma, DeviceMembership Membership, bool NoDowngrade, ImmutableSortedDictionary<string, int> NotReturnable) committed =
            (0, [], false, DeviceMembership.None, false, ImmutableSortedDictionary<string, int>.Empty);
        await transactions.RunTransaction(TransactionOption.Create, async () =>
        {
            // Only serializable values leave a read (it copies its result).
            committed = await lots.PerformRead(state => (state.Revision, state.Lots, state.Rma, MembershipOf(state), state.NoDowngrade, state.NotReturnable));
        });

        // Taken over only once the read committed: a read can see a write that then aborts.
        Adopt(new Written(committed.Revision, committed.Lots, committed.Rma, committed.Membership, started, committed.NoDowngrade, committed.NotReturnable));
        foreach (var settled in _written.Where(entry => entry.Value.At <= started).Select(entry => entry.Key).ToArray())
        {
            _written.Remove(settled);
        }

        PublishAnswer();
    }

    /// <summary>Makes a committed state the poll answer, unless the answer already shows a later one.</summary>
    private void Adopt(Written committed)
    {
        if (committed.Revision < _answerRevision)
        {
            return;
        }

        _answerRevision = committed.Revision;
        (_rma, _membership, _noDowngrade, _notReturnable) = (committed.Rma, committed.Membership, committed.NoDowngrade, committed.NotReturnable);
        RebuildAnswer(committed.Lots);
        foreach (var superseded in _written.Where(entry => entry.Value.Revision <= committed.Revision).Select(entry => entry.Key).ToArray())
        {
            _written.Remove(superseded);
        }
    }

    /// <summary>The transaction of the current call; read in the call itself, since an update's body may run later, when its lock is granted, outside the call's context.</summary>
    private static Guid CurrentTransaction => TransactionContext.GetRequiredTransactionInfo().TransactionId;

    /// <summary>Called under the write lock of <paramref name="transactionId"/>: counts the write and keeps the state it leaves for the commit notice.</summary>
    private void Remember(Guid transactionId, DeviceLotsState state)
    {
        state.Revision++;
        _written[transactionId] = WrittenOf(state, time.GetTimestamp());

        // Until its commit notice, polls go to this grain (which catches up if the notice is overdue).
        answers.Withdraw(Mac);
    }

    /// <summary>
    /// Publishes the poll answer to this process's <see cref="DevicePollAnswers"/> while it is
    /// settled (answer built, registration known, no written state waiting for its notice), so a
    /// co-hosted gateway answers polls from it without a grain call; withdraws it otherwise.
    /// </summary>
    private void PublishAnswer()
    {
        if (_written.Count == 0 && !_answerStale && _hardware is { } hardware && _etag is { } etag && _body is { } body)
        {
            answers.Publish(Mac, new DeviceGrainAnswer(hardware.SecretHash, etag, body));
        }
        else
        {
            answers.Withdraw(Mac);
        }
    }

    private Written WrittenOf(DeviceLotsState state, long at) =>
        new(state.Revision, state.Lots, state.Rma, MembershipOf(state), at, state.NoDowngrade, state.NotReturnable);

    /// <summary>A notice that did not come (a lost call, an abort): read committed state in the background; the poll does not wait for it.</summary>
    private void CatchUpIfOverdue()
    {
        if (_written.Count == 0 || !_catchUp.IsCompleted || !_ready.IsCompleted)
        {
            return;
        }

        var oldest = _written.Values.Min(w => w.At);
        if (time.GetElapsedTime(oldest) >= NoticeGrace)
        {
            _catchUp = ReadCommittedAsync();
        }
    }

    public Task<DevicePollResponse> PollAsync(string deviceSecret, string? ifNoneMatch)
    {
        CatchUpIfOverdue();

        if (!_ready.IsCompletedSuccessfully || _hardware is null)
        {
            return PollWhenReadyAsync(deviceSecret, ifNoneMatch);
        }

        if (_hardware is null || !Codes.SecretMatches(deviceSecret, _hardware.SecretHash))
        {
            return Task.FromResult(new DevicePollResponse(DevicePollStatus.Unauthorized, null, null));
        }

        if (EnsureAnswer())
        {
            PublishAnswer();
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

    /// <summary>
    /// Takes <paramref name="committed"/> as the device's committed lots and marks the poll answer
    /// out of date. The answer (its ETag, signed document and encrypted copy) is built by
    /// <see cref="EnsureAnswer"/> when a poll first asks for it: a device whose licenses change
    /// several times between two polls signs one document, not one per change, and a license
    /// operation does not pay for a document nobody has asked for yet (D116).
    /// </summary>
    private void RebuildAnswer(ImmutableArray<LicenseLot> committed)
    {
        _committedLots = committed;
        _answerStale = true;
    }

    /// <summary>Builds the poll answer from the committed state if it is out of date; true when it built one.</summary>
    private bool EnsureAnswer()
    {
        if (!_answerStale)
        {
            return false;
        }

        _answerStale = false;
        var committed = _committedLots;
        var version = catalog.CurrentVersion(DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime)).Version;
        var testLicense = _testLicense is { Expired: false } valid ? valid : null;
        var etag = DeviceLicenseAnswer.ComputeETag(Mac, version, committed, _testMode.Until, testLicense);
        if (etag == _etag)
        {
            return true;
        }

        var document = LicenseDocument.Create(Mac, version, committed, _testMode.Until, signingKey.Key, signingKey.KeyId);

        // R-V4: a V8+ device also gets its document encrypted for it (built here, on change, never per poll).
        var encrypted = catalog.GetVersion(version).Number >= LicenseFiles.FirstEncryptedVersion && _hardware is { } hardware
            ? LicenseFileEncryption.Encrypt(document, hardware.SecretHash, Mac, version)
            : null;
        _body = DeviceLicenseAnswer.CreateBody(Mac, committed, _testMode.Until, document, encrypted, testLicense);
        _etag = etag;
        return true;
    }

    #region Test mode (R-L9)

    // The test mode the poll answer shows, pushed by the device's IDeviceTestModeGrain on every
    // change and read from it once at activation; the higher revision wins.
    private DeviceTestMode _testMode = DeviceTestMode.Off;
    private bool _testModeLoaded;

    public Task ShowTestModeAsync(DeviceTestMode testMode)
    {
        _testModeLoaded = true;
        if (testMode.Revision > _testMode.Revision)
        {
            _testMode = testMode;
            if (_ready.IsCompletedSuccessfully)
            {
                RebuildAnswer(_committedLots);
                PublishAnswer();
            }
        }

        return Task.CompletedTask;
    }

    private async Task LoadTestModeAsync()
    {
        if (!_testModeLoaded)
        {
            var current = await GrainFactory.GetGrain<IDeviceTestModeGrain>(Mac).GetAsync();
            _testModeLoaded = true;
            if (current.Revision > _testMode.Revision)
            {
                _testMode = current;
            }
        }
    }

    #endregion

    #region Test license (R-L8)

    // The test license the poll answer shows while it is valid, pushed by the device's
    // IDeviceTestLicenseGrain on every change and read from it once at activation; the higher revision wins.
    private DeviceTestLicense? _testLicense;
    private bool _testLicenseLoaded;

    public Task ShowTestLicenseAsync(DeviceTestLicense testLicense)
    {
        _testLicenseLoaded = true;
        if (testLicense.Revision > (_testLicense?.Revision ?? 0))
        {
            _testLicense = testLicense;
            if (_ready.IsCompletedSuccessfully)
            {
                RebuildAnswer(_committedLots);
                PublishAnswer();
            }
        }

        return Task.CompletedTask;
    }

    private async Task LoadTestLicenseAsync()
    {
        if (!_testLicenseLoaded)
        {
            var current = await GrainFactory.GetGrain<IDeviceTestLicenseGrain>(Mac).GetAsync();
            _testLicenseLoaded = true;
            if (current is not null && current.Revision > (_testLicense?.Revision ?? 0))
            {
                _testLicense = current;
            }
        }
    }

    #endregion

    private DeviceView View(ImmutableArray<LicenseLot> current) =>
        new(Mac, _hardware?.Registration.DeviceType, _membership.CompanyId, _membership.ProjectId, device.State.Name, device.State.Comment, current, _rma)
        {
            NoDowngrade = _noDowngrade,
            NotReturnable = _notReturnable,
        };

    /// <summary>The membership in the transactional state, or for a device stored before it was kept there, the one stored with its name.</summary>
    private DeviceMembership MembershipOf(DeviceLotsState state) =>
        state.Membership ?? new DeviceMembership(device.State.CompanyId, device.State.ProjectId);

    private DeviceMembership InCompany(DeviceLotsState state, string companyId)
    {
        var membership = MembershipOf(state);
        return membership.CompanyId == companyId ? membership : throw LicensingException.NotFound("The device");
    }

    /// <summary>The checks of <see cref="AddLotsAsync"/>, under the caller's lock; returns the lots the device would hold.</summary>
    private DeviceLotChange Receive(DeviceLotsState state, string companyId, ImmutableArray<LicenseLot> newLots, bool requireEmpty, string? requiredProjectId, string? deviceType, ConsistencyScope? scope = null)
    {
        var membership = InCompany(state, companyId);
        if (requiredProjectId is not null && membership.ProjectId != requiredProjectId)
        {
            throw new LicensingException(ErrorCodes.TransientConflict, $"{Mac} moved to another project during the operation.");
        }

        if (requireEmpty && state.Lots.Any(lot => !IsWarranty(lot)))
        {
            throw new LicensingException(ErrorCodes.TargetHasLicenses, $"{Mac} holds licenses; licenses can be moved only to a device without any (warranty extensions aside).");
        }

        var after = state.Lots.AddRange(newLots);
        _consistency.Check(deviceType ?? throw LicensingException.NotFound("The device"), after, scope);
        return new DeviceLotChange(membership.ProjectId, after);
    }

    /// <summary>
    /// Changes the membership in a transaction of its own (retried on contention), then updates the
    /// projects' device indexes. <paramref name="decide"/> runs under the write lock and returns
    /// the new membership, or null to leave it as it is. Returns the membership before and whether it changed.
    /// </summary>
    private async Task<(DeviceMembership Before, bool Changed)> ChangeMembershipAsync(Func<DeviceLotsState, DeviceMembership?> decide, bool attach = true)
    {
        for (var attempt = 1; ; attempt++)
        {
            var before = DeviceMembership.None;
            DeviceMembership? after = null;
            Guid? committedIn = null;
            try
            {
                await transactions.RunTransaction(TransactionOption.Create, async () =>
                {
                    var transactionId = CurrentTransaction;
                    (before, after) = await lots.PerformUpdate(state =>
                    {
                        var current = MembershipOf(state);
                        var next = decide(state);
                        if (next is not null)
                        {
                            state.Membership = next;
                            Remember(transactionId, state);
                        }

                        return (current, next);
                    });

                    // Nothing to change: abort, so the write lock leaves no new version behind.
                    committedIn = transactionId;
                    return after is not null;
                });
            }
            catch (OrleansTransactionAbortedException e) when (e.InnerException is LicensingException domain)
            {
                ExceptionDispatchInfo.Throw(domain);
            }
            catch (Exception e) when (attempt < MaxMembershipAttempts && TransientFailures.IsRetryableAbort(e))
            {
                await Task.Delay(TransientFailures.Delay(attempt));
                continue;
            }
            catch (Exception)
            {
                // In doubt (the commit may have happened): the next activation reads what committed.
                DeactivateOnIdle();
                throw;
            }

            if (after is null)
            {
                return (before, false);
            }

            await CommittedAsync(committedIn!.Value);
            if (before.ProjectId is not null && before.ProjectId != after.ProjectId)
            {
                await GrainFactory.GetGrain<IProjectGrain>(before.ProjectId).DetachDeviceAsync(Mac);
            }

            if (after.ProjectId is not null && attach)
            {
                await GrainFactory.GetGrain<IProjectGrain>(after.ProjectId).AttachDeviceAsync(Mac);
            }

            return (before, true);
        }
    }

    #region Devices in projects and RMA (issue 11 part A: R-D4, R-D5, R-D6, R-D7)

    public async Task<DeviceView> UpdateDetailsAsync(string companyId, string? name, string? comment)
    {
        await ReadyAsync();
        CatchUpIfOverdue();
        await HardwareAsync();
        if (_membership.CompanyId != companyId)
        {
            throw LicensingException.NotFound("The device");
        }

        var changed = false;
        if (name is not null && name != (device.State.Name ?? string.Empty))
        {
            device.State.Name = name.Length == 0 ? null : name;
            changed = true;
        }

        if (comment is not null && comment != (device.State.Comment ?? string.Empty))
        {
            device.State.Comment = comment.Length == 0 ? null : comment;
            changed = true;
        }

        if (changed)
        {
            await device.WriteStateAsync();

            // In the history, and the search index reads the device again (its name and comment are searched, R-Q1).
            await feed.RecordAsync(feed.Event(companyId, HistoryActions.DeviceUpdated, _membership.ProjectId, Mac, ChangeFeed.Details(("name", name), ("comment", comment))));
        }

        return View(_committedLots);
    }

    public async Task<DeviceView> RemoveFromProjectAsync(string companyId)
    {
        await ReadyAsync();
        await HardwareAsync();
        var (before, _) = await ChangeMembershipAsync(state =>
        {
            InCompany(state, companyId);
            return DeviceMembership.None with { ReleasedBy = companyId };
        });

        // The search index drops the device: it reads it again and finds it in no company.
        var view = View(_committedLots);
        await feed.RecordAsync(feed.Event(companyId, HistoryActions.DeviceRemoved, before.ProjectId, Mac,
            ChangeFeed.Details(("licenses", view.Lots.IsEmpty ? null : ChangeFeed.Describe(LicenseMath.ToMap(view.Lots.Select(l => KeyValuePair.Create(l.Type, l.Units))))))));
        return view with { CompanyId = companyId, ProjectId = before.ProjectId };
    }

    public Task<DeviceLotChange> ReleaseForReshipAsync(string companyId)
    {
        var transactionId = CurrentTransaction;
        return lots.PerformUpdate(state =>
        {
            // Also a device its company removed from its project after requesting the RMA (R-D5).
            var membership = MembershipOf(state);
            if (membership.CompanyId != companyId && !(membership.CompanyId is null && membership.ReleasedBy == companyId))
            {
                return new DeviceLotChange(null, []);
            }

            var taken = state.Lots.Where(lot => !IsWarranty(lot)).ToImmutableArray();
            state.Lots = state.Lots.RemoveAll(lot => !IsWarranty(lot));
            state.Membership = DeviceMembership.None;
            Remember(transactionId, state);
            return new DeviceLotChange(membership.ProjectId, taken);
        });
    }

    public Task<DeviceLotChange> MoveIntoProjectAsync(string companyId, string projectId, DateOnly? ssaEndDate, ImmutableArray<string> excludedLotIds, bool dryRun)
    {
        if (dryRun)
        {
            return lots.PerformRead(state => new DeviceLotChange(InCompany(state, companyId).ProjectId, state.Lots));
        }

        var transactionId = CurrentTransaction;
        var excluded = excludedLotIds.IsDefault ? [] : excludedLotIds.ToHashSet(StringComparer.Ordinal);
        return lots.PerformUpdate(state =>
        {
            var membership = InCompany(state, companyId);
            var before = state.Lots;
            if (membership.ProjectId == projectId)
            {
                return new DeviceLotChange(membership.ProjectId, before);
            }

            state.Membership = membership with { ProjectId = projectId };
            if (ssaEndDate is { } end)
            {
                state.Lots = [.. before.Select(lot => DeviceMoveSsa.Extends(catalog, lot, end, excluded) ? lot with { SsaEndDate = end } : lot)];
            }

            Remember(transactionId, state);
            return new DeviceLotChange(membership.ProjectId, before);
        });
    }

    #endregion

    #region License files and invalidation (issue 12 part A: R-V2..R-V5)

    public async Task<LicenseFile> PrepareLicenseFileAsync(string companyId, string version, bool? encrypted, DateOnly today)
    {
        var transactionId = CurrentTransaction;
        var hardware = await HardwareAsync() ?? throw LicensingException.NotFound("The device");
        var release = catalog.GetVersion(version);
        var encrypt = encrypted ?? release.Number >= LicenseFiles.FirstEncryptedVersion;
        if (encrypt && release.Number < LicenseFiles.FirstEncryptedVersion)
        {
            throw LicensingException.Validation($"{version} files are never encrypted (R-V2); only V8 and later are.");
        }

        (string? ProjectId, ImmutableArray<LicenseLot> Lots, ImmutableArray<string> Marked) Select(DeviceLotsState state)
        {
            var membership = InCompany(state, companyId);
            LicenseFiles.CheckOffered(catalog, state.Lots, state.NoDowngrade, version, today);
            return (membership.ProjectId, LicenseFiles.LotsFor(catalog, state.Lots, release), []);
        }

        // R-V4: only an unencrypted download marks the lots in it, under the device's write lock.
        var (projectId, fileLots, marked) = encrypt
            ? await lots.PerformRead(Select)
            : await lots.PerformUpdate(state =>
            {
                var selected = Select(state);
                var marks = state.NotReturnable.ToBuilder();
                var newlyMarked = ImmutableArray.CreateBuilder<string>();
                foreach (var lotId in selected.Lots.Select(l => l.LotId).Distinct(StringComparer.Ordinal))
                {
                    if (!marks.TryGetValue(lotId, out var highest) || highest < release.Number)
                    {
                        marks[lotId] = release.Number;
                        newlyMarked.Add(lotId);
                    }
                }

                // A write either way (the update took the write lock), so counted like every write.
                state.NotReturnable = marks.ToImmutable();
                Remember(transactionId, state);

                return (selected.ProjectId, selected.Lots, newlyMarked.ToImmutable());
            });

        var signed = LicenseDocument.Create(Mac, version, fileLots, null, signingKey.Key, signingKey.KeyId);
        var document = encrypt ? LicenseFileEncryption.Encrypt(signed, hardware.SecretHash, Mac, version) : signed;
        return new LicenseFile(Mac, projectId, version, encrypt, fileLots, marked, document);
    }

    public async Task<InvalidationResult> InvalidateAsync(string companyId, InvalidationClaim claim, DateTimeOffset now)
    {
        var transactionId = CurrentTransaction;
        var invalidation = await lots.PerformUpdate(state =>
        {
            var membership = InCompany(state, companyId);
            if (claim.Sequence <= state.InvalidationSequence)
            {
                throw new LicensingException(ErrorCodes.InvalidationReplayed,
                    $"Invalidation {claim.Sequence} of {Mac} is not above the last accepted one ({state.InvalidationSequence}): a replayed document changes nothing.");
            }

            var wanted = claim.LotIds.ToHashSet(StringComparer.Ordinal);
            var returned = claim.AllPbx ? state.Lots.Where(IsPbx).ToImmutableArray() : state.Lots.Where(l => wanted.Contains(l.LotId)).ToImmutableArray();
            if (!claim.AllPbx && returned.Length != wanted.Count)
            {
                throw LicensingException.NotFound("A lot the invalidation names");
            }

            if (returned.FirstOrDefault(l => !IsPbx(l)) is { } stays)
            {
                throw LicensingException.Validation($"Only PBX licenses are returned by invalidation; {stays.Type} (gateway licenses, warranty extensions) stays on the device (R-V5).");
            }

            if (returned.IsEmpty)
            {
                throw new LicensingException(ErrorCodes.Conflict, $"{Mac} has no PBX licenses to return.");
            }

            // R-V4: a lot downloaded unencrypted stays, unless every such download was a V5–V7
            // file and the device consents to NoDowngrade (its boot code then refuses those files).
            var blocked = returned.Where(l => state.NotReturnable.TryGetValue(l.LotId, out var highest)
                && (highest >= LicenseFiles.FirstEncryptedVersion || !claim.ConsentNoDowngrade)).ToList();
            if (blocked.Count > 0)
            {
                throw new LicensingException(ErrorCodes.LotNotReturnable,
                    $"{string.Join(", ", blocked.Select(l => $"{l.Type} (lot {l.LotId})"))} was downloaded unencrypted and cannot be returned"
                    + (blocked.All(l => state.NotReturnable[l.LotId] < LicenseFiles.FirstEncryptedVersion) ? " without consent to NoDowngrade." : "."));
            }

            // The flag follows the consent whenever it was needed: V5–V7 lots returned, or lots
            // returned whose unencrypted files (all V5–V7, checked above) the flag makes useless.
            var noDowngrade = state.NoDowngrade
                || (claim.ConsentNoDowngrade && returned.Any(l => catalog.GetVersion(l.Version).Number < LicenseFiles.FirstEncryptedVersion || state.NotReturnable.ContainsKey(l.LotId)));
            var taken = returned.Select(l => l.LotId).ToHashSet(StringComparer.Ordinal);
            state.Lots = state.Lots.RemoveAll(l => taken.Contains(l.LotId));
            state.NotReturnable = state.NotReturnable.RemoveRange(taken);
            state.NoDowngrade = noDowngrade;
            state.InvalidationSequence = claim.Sequence;
            state.LastInvalidation = new DeviceInvalidation(claim.Sequence, now, membership.ProjectId, returned, noDowngrade, claim.DocumentSha256);
            Remember(transactionId, state);
            return state.LastInvalidation;
        });

        return new InvalidationResult(Mac, invalidation, InvalidationDocuments.Confirmation(Mac, invalidation, signingKey.Key, signingKey.KeyId));
    }

    public Task<ImmutableArray<string>> GetOfferedVersionsAsync(string companyId, DateOnly today) =>
        lots.PerformRead(state =>
        {
            InCompany(state, companyId);
            return LicenseFiles.OfferedVersions(catalog, state.Lots, state.NoDowngrade, today).Select(v => v.Version).ToImmutableArray();
        });

    public async Task<string?> GetConfirmationFileAsync(string companyId)
    {
        var last = await lots.PerformRead(state =>
        {
            InCompany(state, companyId);
            return state.LastInvalidation;
        });
        return last is null ? null : InvalidationDocuments.Confirmation(Mac, last, signingKey.Key, signingKey.KeyId);
    }

    #endregion

    private bool IsWarranty(LicenseLot lot) => LicenseFiles.IsWarranty(catalog, lot);

    private bool IsPbx(LicenseLot lot) => LicenseFiles.IsPbx(catalog, lot);

    /// <summary>A state this grain wrote (or read as committed): its revision, what the answer and view need, and when (a timestamp).</summary>
    private sealed record Written(long Revision, ImmutableArray<LicenseLot> Lots, bool Rma, DeviceMembership Membership, long At, bool NoDowngrade, ImmutableSortedDictionary<string, int> NotReturnable);
}
