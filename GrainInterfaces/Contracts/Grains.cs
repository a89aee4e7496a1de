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
    /// <summary>Creates the company with its creator as admin and a project named DEFAULT.</summary>
    Task<CompanyView> CreateAsync(string name, string creatorEmail);

    Task<CompanyView> GetAsync();

    /// <summary>
    /// The caller's membership when the caller may act in this company (and holds
    /// <paramref name="right"/> when given); otherwise NotFound, Forbidden or UserLocked.
    /// </summary>
    Task<Membership> AuthorizeAsync(string email, string? right);

    Task<ProjectView> CreateProjectAsync(string name, string? description);

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
}

/// <summary>The vendor's registry entry for one shipped device, keyed by canonical MAC (R-D1).</summary>
public interface IHardwareGrain : IGrainWithStringKey
{
    /// <summary>Registers the device and returns its secret (shown once).</summary>
    Task<string> RegisterAsync(HardwareRegistration registration);

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

    /// <summary>Appends lots inside the caller's transaction; the device must be in the company.</summary>
    [Transaction(TransactionOption.Join)]
    Task<ImmutableArray<LicenseLot>> AddLotsAsync(string companyId, ImmutableArray<LicenseLot> lots);

    [Transaction(TransactionOption.CreateOrJoin)]
    Task<ImmutableArray<LicenseLot>> GetLotsAsync();

    /// <summary>Rebuilds the cached poll answer from committed state (called after a commit).</summary>
    Task RefreshAsync();

    /// <summary>The device poll (R-C3): answered from memory, no storage read, no transaction.</summary>
    [ReadOnly]
    Task<DevicePollResponse> PollAsync(string deviceSecret, string? ifNoneMatch);
}

/// <summary>
/// Runs every move of license units between holders as one Orleans transaction (R-C1), then
/// tells the holders whose poll answers changed. Stateless: any silo runs it next to the caller.
/// </summary>
public interface ILedgerGrain : IGrainWithIntegerKey
{
    /// <summary>Moves a key's units into a project's balance, exactly once (R-K2).</summary>
    Task<RedeemResult> RedeemKeyAsync(string code, string companyId, string projectId, string? comment);

    /// <summary>Binds units from project balances to a device (R-L2, R-P6); all or nothing.</summary>
    Task<AddLicensesResult> AddLicensesFromBalanceAsync(AddLicensesCommand command);
}
