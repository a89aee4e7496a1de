using System.Collections.Immutable;

namespace OrleansLicensing.Contracts;

/// <summary>
/// An old group (R-I1, R-I2): name, balance, logins and device list from the export; the import
/// of its balance is transactional state, so a second import is refused in the same transaction
/// that would mint it.
/// </summary>
public interface ILegacyGroupGrain : IGrainWithStringKey
{
    Task LoadAsync(LegacyGroup group);

    Task AddLoginAsync(string login);

    Task AddDevicesAsync(ImmutableArray<string> macs);

    /// <summary>Null for a group the export did not hold.</summary>
    Task<LegacyGroupView?> GetAsync();

    Task<ImmutableArray<string>> ListDevicesAsync();

    /// <summary>Marks the balance imported into <paramref name="projectId"/> and returns it; <see cref="ErrorCodes.AlreadyImported"/> the second time.</summary>
    [Transaction(TransactionOption.Join)]
    Task<ImmutableSortedDictionary<string, int>> TakeBalanceAsync(string companyId, string projectId, DateTimeOffset at);

    [Transaction(TransactionOption.CreateOrJoin)]
    Task<LegacyImportMark?> GetImportMarkAsync();
}
