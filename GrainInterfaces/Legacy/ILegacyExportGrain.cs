namespace OrleansLicensing.Contracts;

/// <summary>An export's upload (R-I1), keyed by export id: counts the stored parts and starts the load once all are in.</summary>
public interface ILegacyExportGrain : IGrainWithStringKey
{
    /// <summary>Records that a part is stored; when the last one is in, starts the durable load.</summary>
    Task<LegacyExportStatus> PartStoredAsync(int part, int of);

    Task<LegacyExportStatus> GetStatusAsync();
}
