using System.Collections.Immutable;
using Orleans.Concurrency;

namespace OrleansLicensing.Contracts;

/// <summary>A device as a license holder and a member of at most one project (R-D2, R-L*).</summary>
/// <remarks>
/// The lot operations a ledger move joins (<see cref="LockAsync"/>, <see cref="AddLotsAsync"/>,
/// <see cref="TakeLotsAsync"/>, <see cref="PreviewLotsAsync"/>) are <see cref="AlwaysInterleaveAttribute"/>:
/// a move may call a device twice (its lock first, in the moves' one order, then its change),
/// and that second call must not queue behind another transaction's call waiting inside the
/// grain for the lock the first one holds (a stall until the lock timeout, issue 15). They touch
/// only the transactional lots, whose locks order them.
/// </remarks>
public interface IDeviceGrain : IHolderGrain
{
    /// <summary>
    /// Adds the device to a project of a company, enforcing R-D2. The membership is part of the
    /// device's transactional state and changes in a transaction of its own, so every unit move
    /// that checks it is ordered before or after the change, never across it.
    /// </summary>
    /// <param name="attach">
    /// False when the caller adds the device to the project's device list itself, with others in
    /// one write (<see cref="IProjectGrain.AttachDevicesAsync"/>): a batch of thousands then costs
    /// one list write per chunk instead of one per device.
    /// </param>
    Task<DeviceAddResult> AddToProjectAsync(string companyId, string projectId, string? deviceSecret, bool attach = true);

    /// <summary>
    /// Moves the device to another project of its company (R-D6; the SSA extension of a move
    /// into a project under SSA is not part of this call). NotFound unless both the device and the
    /// project belong to the company; moving it to the project it is in changes nothing.
    /// </summary>
    Task<DeviceView> MoveToProjectAsync(string companyId, string projectId);

    Task<DeviceView> GetAsync();

    /// <summary>
    /// Appends lots inside the caller's transaction and returns the device's lots after it and
    /// its project. Checked under the same write lock, so a concurrent change cannot slip in
    /// between check and write: the device is in the company (NotFound); with
    /// <paramref name="requireEmpty"/> it holds nothing but warranty lots
    /// (<see cref="ErrorCodes.TargetHasLicenses"/>, R-L5); with <paramref name="requiredProjectId"/>
    /// it is in that project (else <see cref="ErrorCodes.TransientConflict"/>: it moved since the
    /// caller looked, so the caller may look again and retry); the lots together pass the device
    /// type's consistency rules (<see cref="ErrorCodes.ConsistencyViolation"/>, R-L2, R-L4), whose
    /// PBX rules look at the configuration <paramref name="scope"/> names (all lots without one).
    /// </summary>
    [Transaction(TransactionOption.Join)]
    [AlwaysInterleave]
    Task<DeviceLotChange> AddLotsAsync(string companyId, ImmutableArray<LicenseLot> lots, bool requireEmpty = false, string? requiredProjectId = null, ConsistencyScope? scope = null);

    /// <summary>
    /// Takes the device's write lock for the caller's transaction without changing anything and
    /// returns the project the device is in under that lock (NotFound outside
    /// <paramref name="companyId"/>). A move that touches the device after another holder, or two
    /// devices, takes their locks first in one order with it, so two moves never wait on each
    /// other's locks (issue 15).
    /// </summary>
    [Transaction(TransactionOption.Join)]
    [AlwaysInterleave]
    Task<string?> LockAsync(string companyId);

    /// <summary>What <see cref="AddLotsAsync"/> would do, with the same checks, under a read lock and without writing (a dry run).</summary>
    [Transaction(TransactionOption.Join)]
    [AlwaysInterleave]
    Task<DeviceLotChange> PreviewLotsAsync(string companyId, ImmutableArray<LicenseLot> lots, ConsistencyScope? scope = null);

    /// <summary>
    /// Removes the selected lots and returns them with the device's project at this moment, read
    /// under the same write lock, so the caller sends them to the pool of the project the device
    /// is in when the transaction commits. Moving everything but warranty marks the device RMA (R-L5).
    /// </summary>
    [Transaction(TransactionOption.Join)]
    [AlwaysInterleave]
    Task<DeviceLotChange> TakeLotsAsync(string companyId, LotSelection selection, ImmutableArray<string> lotIds);

    /// <summary>
    /// A join's change of the device's company and/or project (R-U3, R-P4) inside the caller's
    /// transaction, under the lots' lock; the lots named in <paramref name="extendLotIds"/> get the
    /// repoint's SSA end. A device whose membership no longer matches the repoint's source is left
    /// as it is (false).
    /// </summary>
    [Transaction(TransactionOption.Join)]
    Task<bool> RepointAsync(Repoint repoint, ImmutableArray<string> extendLotIds);

    /// <summary>
    /// Puts lots under SSA inside the caller's transaction (R-S1): every lot that carries SSC and
    /// is not in <paramref name="excludedLotIds"/> gets the later of its SSA end and
    /// <paramref name="endDate"/>. Returns the lots as they were before, read under the same write
    /// lock — or none, changing nothing, when the device is no longer in that project of that
    /// company (it left since the caller listed it).
    /// </summary>
    [Transaction(TransactionOption.Join)]
    Task<ImmutableArray<LicenseLot>> ExtendSsaAsync(string companyId, string projectId, DateOnly endDate, ImmutableArray<string> excludedLotIds);

    [Transaction(TransactionOption.CreateOrJoin)]
    Task<ImmutableArray<LicenseLot>> GetLotsAsync();

    /// <summary>
    /// Tells the device that <paramref name="transactionId"/> committed (called by the ledger after
    /// commit): the device takes the lots that transaction wrote, which it kept in memory when it
    /// wrote them, into its poll answer. No transaction, no lock, no storage call: it interleaves
    /// with whatever the grain is doing, so it never waits behind a move.
    /// </summary>
    [AlwaysInterleave]
    Task CommittedAsync(Guid transactionId);

    /// <summary>
    /// The device poll (R-C3): answered from memory, no storage read, no transaction. It
    /// interleaves with every other call, so a device taking part in a move (whose turn may wait
    /// for a lock or a storage write) still answers at once, from the last committed state.
    /// </summary>
    [AlwaysInterleave]
    Task<DevicePollResponse> PollAsync(string deviceSecret, string? ifNoneMatch);

    /// <summary>
    /// Takes a test mode state (R-L9) into the poll answer, unless it already shows a later one.
    /// Called by the device's <see cref="IDeviceTestModeGrain"/> after it persisted the change; no
    /// storage call, so it interleaves with everything.
    /// </summary>
    [AlwaysInterleave]
    Task ShowTestModeAsync(DeviceTestMode testMode);

    /// <summary>
    /// Takes a test license state (R-L8) into the poll answer, unless it already shows a later one.
    /// Called by the device's <see cref="IDeviceTestLicenseGrain"/> after it persisted the change.
    /// </summary>
    [AlwaysInterleave]
    Task ShowTestLicenseAsync(DeviceTestLicense testLicense);

    // Devices in projects and RMA (issue 11 part A: R-D4, R-D5, R-D6, R-D7).

    /// <summary>
    /// Sets the name and/or comment (R-D4; null leaves a field as it is, an empty string clears it).
    /// NotFound unless the device is in <paramref name="companyId"/>. The caller validated the name.
    /// </summary>
    Task<DeviceView> UpdateDetailsAsync(string companyId, string? name, string? comment);

    /// <summary>
    /// Takes the device out of its project and company (R-D5); its lots stay on it. That company may
    /// add it again by MAC alone; any other needs proof of possession (R-D2). NotFound unless the
    /// device is in <paramref name="companyId"/>. Returns the view as it was before.
    /// </summary>
    Task<DeviceView> RemoveFromProjectAsync(string companyId);

    /// <summary>
    /// Inside the caller's transaction, for a reship after RMA (R-D7): takes every lot but warranty
    /// extensions and takes the device out of its company, under one write lock. Returns the lots
    /// taken and the project it was in; nothing (and no change) when it is no longer in <paramref name="companyId"/>.
    /// </summary>
    [Transaction(TransactionOption.Join)]
    Task<DeviceLotChange> ReleaseForReshipAsync(string companyId);

    /// <summary>
    /// Inside the caller's transaction (R-D6): moves the device into <paramref name="projectId"/> of
    /// its company and gives its lots under SSA (those with an SSA end before
    /// <paramref name="ssaEndDate"/>, carrying SSC, not excluded) that end date. Returns the project
    /// it was in and its lots as they were, read under the same lock; with <paramref name="dryRun"/>
    /// only reads. NotFound unless the device is in <paramref name="companyId"/>.
    /// </summary>
    [Transaction(TransactionOption.Join)]
    Task<DeviceLotChange> MoveIntoProjectAsync(string companyId, string projectId, DateOnly? ssaEndDate, ImmutableArray<string> excludedLotIds, bool dryRun);

    // License files and invalidation (issue 12 part A: R-V2..R-V5).

    /// <summary>
    /// Inside the caller's transaction: the device's license file of <paramref name="version"/>
    /// (R-V2), offered by R-V3 (else <see cref="ErrorCodes.VersionNotOffered"/>), encrypted for the
    /// device when <paramref name="encrypted"/> (V8+ only; null: encrypted from V8 on). An
    /// unencrypted download marks the lots in it not returnable (R-V4) under the device's write
    /// lock; an encrypted one only reads. NotFound unless the device is in <paramref name="companyId"/>.
    /// </summary>
    [Transaction(TransactionOption.Join)]
    Task<LicenseFile> PrepareLicenseFileAsync(string companyId, string version, bool? encrypted, DateOnly today);

    /// <summary>
    /// Inside the caller's transaction (R-V5): checks the verified <paramref name="claim"/> against
    /// the device's state under its write lock (replay, returnability, PBX only), takes the lots
    /// it returns, records the sequence and the invalidation, and returns them with the signed
    /// confirmation. The caller puts the lots into the free pool of the invalidation's project.
    /// </summary>
    [Transaction(TransactionOption.Join)]
    Task<InvalidationResult> InvalidateAsync(string companyId, InvalidationClaim claim, DateTimeOffset now);

    /// <summary>The versions a license file of the device is offered in on <paramref name="today"/> (R-V3), oldest first.</summary>
    [Transaction(TransactionOption.CreateOrJoin)]
    Task<ImmutableArray<string>> GetOfferedVersionsAsync(string companyId, DateOnly today);

    /// <summary>The confirmation file of the last accepted invalidation, signed again; null when there was none.</summary>
    [Transaction(TransactionOption.CreateOrJoin)]
    Task<string?> GetConfirmationFileAsync(string companyId);
}
