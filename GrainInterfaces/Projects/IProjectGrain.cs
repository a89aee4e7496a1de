using System.Collections.Immutable;

namespace OrleansLicensing.Contracts;

/// <summary>A project: its data, the index of its devices and its license balance (R-P5).</summary>
/// <remarks>
/// The balance operations are <see cref="AlwaysInterleaveAttribute"/>: a transaction may call a
/// project twice (the ledger takes every source's lock in id order before it debits them in the
/// order asked), and its second call must not queue behind another transaction's call that waits
/// inside the grain for the lock the first one holds (a stall until the lock timeout, issue 15).
/// They touch only the transactional balance, whose locks order them.
/// </remarks>
public interface IProjectGrain : IHolderGrain
{
    Task<ProjectView> InitializeAsync(string companyId, string name, string? description);

    Task<ProjectView> GetAsync();

    /// <summary>Renames and/or describes the project (R-P1); the company keeps names unique. <c>null</c> keeps a field, "" clears the description.</summary>
    Task<ProjectView> UpdateAsync(string? name, string? description);

    /// <summary>
    /// Closes the project for deletion inside the caller's transaction (R-P3): refused with
    /// <see cref="ErrorCodes.ProjectNotEmpty"/> while it has activation keys, devices, balance or
    /// free licenses; afterwards every credit, debit or free-pool change is refused. Closing a
    /// closed project succeeds (a retried delete).
    /// </summary>
    [Transaction(TransactionOption.Join)]
    Task CloseAsync();

    /// <summary>Marks a closed project deleted: it is NotFound from then on (R-P3, after the close committed).</summary>
    Task MarkDeletedAsync();

    /// <summary>Credits a redeemed key's units and records the key (R-K2), inside the caller's transaction.</summary>
    [Transaction(TransactionOption.Join)]
    Task ReceiveKeyAsync(RedeemedKey key);

    /// <summary>Debits the units of a new own key and records the key as created from this project (R-K3).</summary>
    [Transaction(TransactionOption.Join)]
    Task DebitForOwnKeyAsync(string code, ImmutableSortedDictionary<string, int> licenses);

    /// <summary>Credits the units of a deleted own key and forgets the key (R-K3).</summary>
    [Transaction(TransactionOption.Join)]
    Task ReturnOwnKeyAsync(string code, ImmutableSortedDictionary<string, int> licenses);

    /// <summary>The keys redeemed into the project, oldest first (R-K2).</summary>
    [Transaction(TransactionOption.CreateOrJoin)]
    Task<ImmutableArray<RedeemedKey>> ListRedeemedKeysAsync();

    /// <summary>The own keys created from the project and not deleted, as they are now (R-K3).</summary>
    [Transaction(TransactionOption.CreateOrJoin)]
    Task<ImmutableArray<ActivationKeyView>> ListOwnKeysAsync();

    [Transaction(TransactionOption.CreateOrJoin)]
    Task<ImmutableSortedDictionary<string, int>> GetBalanceAsync();

    /// <summary>Adds units to the balance inside the caller's transaction.</summary>
    [Transaction(TransactionOption.Join)]
    [Orleans.Concurrency.AlwaysInterleave]
    Task CreditAsync(ImmutableSortedDictionary<string, int> licenses);

    /// <summary>
    /// Takes as many of the wanted units as the balance holds (never more) and returns what it
    /// took, inside the caller's transaction; the coordinator decides whether the draw is complete.
    /// </summary>
    [Transaction(TransactionOption.Join)]
    [Orleans.Concurrency.AlwaysInterleave]
    Task<ImmutableSortedDictionary<string, int>> DebitUpToAsync(ImmutableSortedDictionary<string, int> wanted);

    /// <summary>
    /// The balance under the caller's transaction's read lock, refused like a debit while the
    /// project is closed. A bind that draws from several projects takes this lock on the device's
    /// own project, in the one order of its locks, when it expects to take nothing from it: a read
    /// participant writes no new state and needs no confirmation (D118).
    /// </summary>
    [Transaction(TransactionOption.Join)]
    [Orleans.Concurrency.AlwaysInterleave]
    Task<ImmutableSortedDictionary<string, int>> ReadBalanceForDebitAsync();

    /// <summary>Takes exactly these units or fails with <see cref="ErrorCodes.InsufficientBalance"/>.</summary>
    [Transaction(TransactionOption.Join)]
    [Orleans.Concurrency.AlwaysInterleave]
    Task DebitAsync(ImmutableSortedDictionary<string, int> licenses);

    [Transaction(TransactionOption.Join)]
    Task AddToFreePoolAsync(ImmutableArray<LicenseLot> lots);

    /// <summary>Removes the named lots from the free pool; NotFound when one is not there.</summary>
    [Transaction(TransactionOption.Join)]
    Task<ImmutableArray<LicenseLot>> TakeFromFreePoolAsync(ImmutableArray<string> lotIds);

    [Transaction(TransactionOption.CreateOrJoin)]
    Task<ImmutableArray<LicenseLot>> GetFreePoolAsync();

    /// <summary>
    /// The owner company of the project when <paramref name="companyId"/> holds an external right
    /// on it (R-P2); NotFound otherwise, as for a project the caller cannot see.
    /// </summary>
    Task<string> AuthorizeExternalAsync(string companyId);

    /// <summary>The companies granted rights on the project (R-P2), ordered by id.</summary>
    Task<ImmutableArray<string>> ListRightsAsync();

    /// <summary>Grants another, existing company rights on the project (R-P2); granting again is no change.</summary>
    Task<ImmutableArray<string>> GrantRightAsync(string companyId);

    /// <summary>Revokes a company's rights on the project (R-P2); NotFound when it has none.</summary>
    Task<ImmutableArray<string>> RevokeRightAsync(string companyId);

    /// <summary>Debits SSC from the balance (R-S4) inside the caller's transaction; short → <see cref="ErrorCodes.InsufficientSsc"/>.</summary>
    [Transaction(TransactionOption.Join)]
    [Orleans.Concurrency.AlwaysInterleave]
    Task DebitSscAsync(int units);

    /// <summary>Sets the project's SSA end date inside the caller's transaction (R-S1); returns the previous one.</summary>
    /// <remarks>Interleaves like the balance operations: it touches only transactional state, whose lock orders it.</remarks>
    [Transaction(TransactionOption.Join)]
    [Orleans.Concurrency.AlwaysInterleave]
    Task<DateOnly?> SetSsaEndAsync(DateOnly endDate);

    /// <summary>
    /// Reads the committed SSA end date (a read transaction of its own) into the project's view and
    /// (re)arms the expiry reminder (R-S5). The ledger calls it after an SSA payment commits.
    /// </summary>
    Task<ProjectView> RefreshSsaAsync();

    /// <summary>Turns the SSA expiry mails of the project on or off (R-S5).</summary>
    Task<ProjectView> SetSsaExpiryMailsAsync(bool enabled);

    /// <summary>Sends the SSA expiry mails due today (R-S5); what the reminder does on each tick.</summary>
    Task CheckSsaExpiryAsync();

    Task AttachDeviceAsync(string mac);

    Task DetachDeviceAsync(string mac);

    /// <summary>Adds devices to the project's device list with one storage write (a batch add, R-D1).</summary>
    Task AttachDevicesAsync(ImmutableArray<string> macs);

    Task<ImmutableArray<string>> ListDevicesAsync();

    /// <summary>The own keys' codes created from the project and not deleted (R-K3).</summary>
    [Transaction(TransactionOption.CreateOrJoin)]
    Task<ImmutableSortedSet<string>> ListOwnKeyCodesAsync();

    /// <summary>
    /// Moves the project to the company that joined its owner (R-U3), under <paramref name="name"/>; a
    /// right the project granted to its new owner ends. Idempotent; NotFound unless the owner is one of the two.
    /// </summary>
    Task<ProjectView> ChangeOwnerAsync(string fromCompanyId, string toCompanyId, string name);

    /// <summary>
    /// Re-points a right granted to a joined company to the company it was joined into (R-U3); when that
    /// company owns the project the right just ends. Returns whether <paramref name="toCompanyId"/> holds a right afterwards.
    /// </summary>
    Task<bool> ReplaceRightAsync(string fromCompanyId, string toCompanyId);

    /// <summary>
    /// Empties the project into <paramref name="targetProjectId"/> inside the caller's transaction (R-P4):
    /// returns its balance, free pool and key records and marks it joining, so every later credit,
    /// debit or free-pool change is refused (<see cref="ErrorCodes.JoinInProgress"/>).
    /// <see cref="ErrorCodes.ProjectHasExternalRights"/> while it grants external rights. Handing over again returns nothing more.
    /// </summary>
    [Transaction(TransactionOption.Join)]
    Task<ProjectHandOver> HandOverAsync(string targetProjectId);

    /// <summary>
    /// Receives what a joined project handed over (R-P4), then pays <paramref name="ssc"/> from the
    /// balance (<see cref="ErrorCodes.InsufficientSsc"/> when short), inside the caller's transaction.
    /// </summary>
    [Transaction(TransactionOption.Join)]
    Task TakeOverAsync(ProjectHandOver handOver, ImmutableSortedDictionary<string, int> ssc);
}
