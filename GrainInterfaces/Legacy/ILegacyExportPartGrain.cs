namespace OrleansLicensing.Contracts;

/// <summary>One stored part of an export (R-I1), keyed <c>{exportId}/{part}</c>; written once, read by the load.</summary>
public interface ILegacyExportPartGrain : IGrainWithStringKey
{
    /// <summary>Stores the part; the same part again is accepted, a different one for the same key is a Conflict.</summary>
    Task StoreAsync(LegacyExportPart part);

    Task<LegacyExportPart?> GetAsync();
}
