using System.Collections.Immutable;

namespace OrleansLicensing.Contracts;

/// <summary>An old device (R-I1, R-I2), keyed by canonical MAC; its import mark is transactional state.</summary>
public interface ILegacyDeviceGrain : IGrainWithStringKey
{
    /// <summary>Stores the device as exported, with the groups of its licenses' users; a device already imported keeps what was imported.</summary>
    Task LoadAsync(LegacyDevice device, ImmutableArray<string> groups);

    /// <summary>Null for a MAC the export did not hold.</summary>
    Task<LegacyDeviceView?> GetAsync();

    /// <summary>
    /// Marks the device imported and returns its licenses as lots of source Import; answers not
    /// taken and changes nothing when it was imported before (the caller reports <c>AlreadyImported</c>)
    /// or the export did not hold it.
    /// </summary>
    [Transaction(TransactionOption.Join)]
    Task<LegacyTaken> TakeForImportAsync(string companyId, string projectId, DateTimeOffset at);
}
