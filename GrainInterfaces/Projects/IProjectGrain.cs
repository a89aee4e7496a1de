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
public interface IProjectGrain : IGrainWithStringKey
{
    Task<ProjectView> InitializeAsync(string companyId, string name, string? description);

    Task<ProjectView> GetAsync();

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

    /// <summary>Balance plus free pool, for the conservation audit.</summary>
    [Transaction(TransactionOption.CreateOrJoin)]
    Task<Holding> GetHoldingAsync();

    Task AttachDeviceAsync(string mac);

    Task DetachDeviceAsync(string mac);

    Task<ImmutableArray<string>> ListDevicesAsync();
}
