using System.Collections.Immutable;

namespace OrleansLicensing.Contracts;

/// <summary>An old device (R-I1, R-I2), keyed by canonical MAC; its import mark is in the transactional state of its MAC block (<see cref="ILegacyImportMarkGrain"/>).</summary>
public interface ILegacyDeviceGrain : IGrainWithStringKey
{
    /// <summary>Stores the device as exported, with the groups of its licenses' users; a device already imported keeps what was imported.</summary>
    Task LoadAsync(LegacyDevice device, ImmutableArray<string> groups);

    /// <summary>Null for a MAC the export did not hold.</summary>
    Task<LegacyDeviceView?> GetAsync();

    /// <summary>The device as exported, without its import mark (an import reads the marks of a whole batch from their blocks at once); null for a MAC the export did not hold.</summary>
    Task<LegacyExportedDevice?> GetExportedAsync();
}
