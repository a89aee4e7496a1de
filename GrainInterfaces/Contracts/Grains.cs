using System.Collections.Immutable;
using Orleans.Concurrency;

namespace OrleansLicensing.Contracts;

/// <summary>A person's account, keyed by canonical (lower-case) e-mail (R-F3).</summary>
public interface IUserGrain : IGrainWithStringKey
{
    /// <summary>Creates the account; <see cref="ErrorCodes.AccountExists"/> when it exists.</summary>
    Task<AccountView> RegisterAsync(string password, string displayName, string language);

    /// <summary>Returns the account when the password matches, otherwise <c>null</c>.</summary>
    Task<AccountView?> VerifyPasswordAsync(string password);

    /// <summary>The account; <see cref="ErrorCodes.NotFound"/> when it was never registered.</summary>
    Task<AccountView> GetAsync();

    /// <summary>Records that the user belongs to a company.</summary>
    Task AddCompanyAsync(string companyId);
}

/// <summary>A company: members, rights and the index of its projects (R-U*, R-P1).</summary>
public interface ICompanyGrain : IGrainWithStringKey
{
    /// <summary>
    /// Creates the company with its creator as admin and a project named DEFAULT. Creating it
    /// again with the same name and creator returns it (a retried request); otherwise Conflict.
    /// </summary>
    Task<CompanyView> CreateAsync(string name, string creatorEmail);

    Task<CompanyView> GetAsync();

    /// <summary>
    /// The caller's membership when the caller may act in this company (and holds
    /// <paramref name="right"/> when given); otherwise NotFound, Forbidden or UserLocked.
    /// </summary>
    Task<Membership> AuthorizeAsync(string email, string? right);

    /// <summary>
    /// Creates a project (R-P1). With <paramref name="projectId"/> (derived from an idempotency
    /// key) a retry that finds that project with the same name returns it.
    /// </summary>
    Task<ProjectView> CreateProjectAsync(string name, string? description, string? projectId = null);

    Task<ImmutableArray<ProjectView>> ListProjectsAsync();

    /// <summary>NotFound unless the project belongs to this company.</summary>
    Task EnsureOwnsProjectAsync(string projectId);
}

/// <summary>A project: its data, the index of its devices and its license balance (R-P5).</summary>
public interface IProjectGrain : IGrainWithStringKey
{
    Task<ProjectView> InitializeAsync(string companyId, string name, string? description);

    Task<ProjectView> GetAsync();

    [Transaction(TransactionOption.CreateOrJoin)]
    Task<ImmutableSortedDictionary<string, int>> GetBalanceAsync();

    /// <summary>Adds units to the balance inside the caller's transaction.</summary>
    [Transaction(TransactionOption.Join)]
    Task CreditAsync(ImmutableSortedDictionary<string, int> licenses);

    /// <summary>
    /// Takes as many of the wanted units as the balance holds (never more) and returns what it
    /// took, inside the caller's transaction; the coordinator decides whether the draw is complete.
    /// </summary>
    [Transaction(TransactionOption.Join)]
    Task<ImmutableSortedDictionary<string, int>> DebitUpToAsync(ImmutableSortedDictionary<string, int> wanted);

    /// <summary>Takes exactly these units or fails with <see cref="ErrorCodes.InsufficientBalance"/>.</summary>
    [Transaction(TransactionOption.Join)]
    Task DebitAsync(ImmutableSortedDictionary<string, int> licenses);

    [Transaction(TransactionOption.Join)]
    Task AddToFreePoolAsync(ImmutableArray<LicenseLot> lots);

    /// <summary>Removes the named lots from the free pool; NotFound when one is not there.</summary>
    [Transaction(TransactionOption.Join)]
    Task<ImmutableArray<LicenseLot>> TakeFromFreePoolAsync(ImmutableArray<string> lotIds);

    [Transaction(TransactionOption.CreateOrJoin)]
    Task<ImmutableArray<LicenseLot>> GetFreePoolAsync();

    /// <summary>Balance plus free pool, for the conservation audit.</summary>
    [Transaction(TransactionOption.CreateOrJoin)]
    Task<Holding> GetHoldingAsync();

    Task AttachDeviceAsync(string mac);

    Task DetachDeviceAsync(string mac);

    Task<ImmutableArray<string>> ListDevicesAsync();
}

/// <summary>An activation key keyed by its canonical code (R-K1, R-K2).</summary>
public interface IActivationKeyGrain : IGrainWithStringKey
{
    /// <summary>Mints the key (vendor only); Conflict when the code exists.</summary>
    [Transaction(TransactionOption.CreateOrJoin)]
    Task<ActivationKeyView> MintAsync(ImmutableSortedDictionary<string, int> licenses, string? orderNumber);

    /// <summary>Marks the key redeemed into a project; <see cref="ErrorCodes.KeyAlreadyAssigned"/> the second time.</summary>
    [Transaction(TransactionOption.Join)]
    Task<ActivationKeyView> AssignAsync(string companyId, string projectId, string? comment, DateTimeOffset at);

    [Transaction(TransactionOption.CreateOrJoin)]
    Task<ActivationKeyView> GetAsync();

    /// <summary>Creates an own key holding units taken from a project's balance (R-K3).</summary>
    [Transaction(TransactionOption.Join)]
    Task<ActivationKeyView> CreateOwnAsync(OwnKeyDraft draft, DateTimeOffset at);

    /// <summary>Adds (positive) or removes (negative) units of an unassigned own key; returns the key after the change.</summary>
    [Transaction(TransactionOption.Join)]
    Task<ActivationKeyView> UpdateOwnAsync(string companyId, ImmutableSortedDictionary<string, int> delta);

    /// <summary>Deletes an unassigned own key; returns it as it was, so its units go back to the balance.</summary>
    [Transaction(TransactionOption.Join)]
    Task<ActivationKeyView> DeleteOwnAsync(string companyId);

    /// <summary>Units still in the key (zero once redeemed or deleted), for the audit.</summary>
    [Transaction(TransactionOption.CreateOrJoin)]
    Task<Holding> GetHoldingAsync();
}

/// <summary>The vendor's registry entry for one shipped device, keyed by canonical MAC (R-D1).</summary>
public interface IHardwareGrain : IGrainWithStringKey
{
    /// <summary>
    /// Registers the device and returns its secret (shown once). With <paramref name="secret"/>
    /// (derived from an idempotent request) that secret is used, and repeating the same
    /// registration with the same secret answers it again instead of
    /// <see cref="ErrorCodes.HardwareAlreadyRegistered"/>.
    /// </summary>
    Task<string> RegisterAsync(HardwareRegistration registration, string? secret = null);

    /// <summary>The registration, or <c>null</c> when the vendor never shipped this MAC.</summary>
    Task<HardwareView?> GetAsync();
}

/// <summary>Devices shipped under one order number, for adds by order (R-D1).</summary>
public interface IHardwareOrderGrain : IGrainWithStringKey
{
    Task AddAsync(string mac);

    Task<ImmutableArray<string>> ListAsync();
}

/// <summary>A device as a license holder and a member of at most one project (R-D2, R-L*).</summary>
public interface IDeviceGrain : IGrainWithStringKey
{
    /// <summary>Adds the device to a project of a company, enforcing R-D2.</summary>
    Task<DeviceAddResult> AddToProjectAsync(string companyId, string projectId, string? deviceSecret);

    Task<DeviceView> GetAsync();

    /// <summary>
    /// Appends lots inside the caller's transaction; the device must be in the company. With
    /// <paramref name="requireEmpty"/> the device may hold nothing but warranty lots
    /// (<see cref="ErrorCodes.TargetHasLicenses"/>), checked under the same lock as the write (R-L5).
    /// </summary>
    [Transaction(TransactionOption.Join)]
    Task<ImmutableArray<LicenseLot>> AddLotsAsync(string companyId, ImmutableArray<LicenseLot> lots, bool requireEmpty = false);

    /// <summary>Removes the selected lots; moving everything but warranty marks the device RMA (R-L5).</summary>
    [Transaction(TransactionOption.Join)]
    Task<ImmutableArray<LicenseLot>> TakeLotsAsync(string companyId, LotSelection selection, ImmutableArray<string> lotIds);

    [Transaction(TransactionOption.CreateOrJoin)]
    Task<Holding> GetHoldingAsync();

    [Transaction(TransactionOption.CreateOrJoin)]
    Task<ImmutableArray<LicenseLot>> GetLotsAsync();

    /// <summary>Rebuilds the cached poll answer from committed state (called after a commit).</summary>
    Task RefreshAsync();

    /// <summary>The device poll (R-C3): answered from memory, no storage read, no transaction.</summary>
    [ReadOnly]
    Task<DevicePollResponse> PollAsync(string deviceSecret, string? ifNoneMatch);
}

/// <summary>Units minted and consumed per license type (R-C2); changed in the minting transaction.</summary>
public interface IMintLedgerGrain : IGrainWithStringKey
{
    public const string Key = "global";

    [Transaction(TransactionOption.Join)]
    Task RecordMintAsync(ImmutableSortedDictionary<string, int> licenses);

    [Transaction(TransactionOption.Join)]
    Task RecordConsumedAsync(ImmutableSortedDictionary<string, int> licenses);

    [Transaction(TransactionOption.CreateOrJoin)]
    Task<MintTotals> GetTotalsAsync();
}

/// <summary>
/// One shard of the index of every unit holder (projects, keys, devices), which the audit walks.
/// Holders register before they first hold units; registering twice is harmless.
/// </summary>
public interface IHolderRegistryGrain : IGrainWithIntegerKey
{
    public const int Shards = 16;

    Task RegisterAsync(string kind, string id);

    Task<ImmutableArray<HolderRef>> ListAsync();
}

/// <summary>
/// The first outcome of a request sent with an <c>Idempotency-Key</c>, recorded in the same
/// transaction as its effect, so a retry returns it instead of applying twice.
/// </summary>
public interface IIdempotencyGrain : IGrainWithStringKey
{
    /// <summary>The recorded result, or <c>null</c> when the key is new; IdempotencyKeyReused for another request.</summary>
    [Transaction(TransactionOption.Join)]
    Task<object?> ClaimAsync(string fingerprint);

    [Transaction(TransactionOption.Join)]
    Task CompleteAsync(string fingerprint, object result);
}

/// <summary>Computes the conservation audit (R-C2) by walking the holder registry.</summary>
public interface IConservationAuditGrain : IGrainWithIntegerKey
{
    Task<AuditReport> RunAsync();
}

/// <summary>
/// Runs every move of license units between holders as one Orleans transaction (R-C1), then
/// tells the holders whose poll answers changed. Stateless: any silo runs it next to the caller.
/// </summary>
public interface ILedgerGrain : IGrainWithIntegerKey
{
    /// <summary>Mints a key (R-K1) and records the minted units (R-C2) in one transaction.</summary>
    Task<ActivationKeyView> MintKeyAsync(ImmutableSortedDictionary<string, int> licenses, string? orderNumber, IdempotencyToken? idempotency = null);

    /// <summary>Moves a key's units into a project's balance, exactly once (R-K2).</summary>
    Task<RedeemResult> RedeemKeyAsync(string code, string companyId, string projectId, string? comment, IdempotencyToken? idempotency = null);

    /// <summary>Binds units from project balances to a device (R-L2, R-P6); all or nothing.</summary>
    Task<AddLicensesResult> AddLicensesFromBalanceAsync(AddLicensesCommand command, IdempotencyToken? idempotency = null);

    /// <summary>Device → its project's free pool (the PBX lots, or the named ones).</summary>
    Task<ImmutableArray<LicenseLot>> ReturnToFreePoolAsync(string companyId, string mac, ImmutableArray<string> lotIds, IdempotencyToken? idempotency = null);

    /// <summary>Free pool → device, lots keep bind date, SSA end and external key (R-L4).</summary>
    Task<ImmutableArray<LicenseLot>> AddFromFreePoolAsync(string companyId, string mac, ImmutableArray<string> lotIds, IdempotencyToken? idempotency = null);

    /// <summary>Free pool → balance, paying one year of SSC per unit, consumed (R-V6).</summary>
    Task<ImmutableSortedDictionary<string, int>> ConvertFreePoolAsync(string companyId, string projectId, ImmutableArray<string> lotIds, IdempotencyToken? idempotency = null);

    /// <summary>Device → device: all but warranty lots, only to a device without licenses (R-L5).</summary>
    Task<ImmutableArray<LicenseLot>> MoveLicensesAsync(string companyId, string fromMac, string toMac, IdempotencyToken? idempotency = null);

    /// <summary>Project → project of the same company.</summary>
    Task TransferBalanceAsync(string companyId, string fromProjectId, string toProjectId, ImmutableSortedDictionary<string, int> licenses, IdempotencyToken? idempotency = null);

    /// <summary>Balance → new own key (R-K3).</summary>
    Task<ActivationKeyView> CreateOwnKeyAsync(OwnKeyDraft draft, IdempotencyToken? idempotency = null);

    /// <summary>Balance ↔ own key: positive units leave the balance, negative ones return (R-K3).</summary>
    Task<ActivationKeyView> UpdateOwnKeyAsync(string companyId, string code, ImmutableSortedDictionary<string, int> delta, IdempotencyToken? idempotency = null);

    /// <summary>Own key → balance, deleting the key (R-K3).</summary>
    Task<ActivationKeyView> DeleteOwnKeyAsync(string companyId, string code, IdempotencyToken? idempotency = null);
}
