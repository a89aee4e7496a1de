using System.Collections.Immutable;

namespace OrleansLicensing.Contracts;

/// <summary>The per-device results of one batch of an import (R-I2), keyed <c>{importId}/{batch}</c>, so an import of many devices never rewrites them all.</summary>
public interface ILegacyImportBatchGrain : IGrainWithStringKey
{
    /// <summary>Replaces the batch's results (a re-run batch reports once).</summary>
    Task SetAsync(ImmutableArray<LegacyDeviceResult> results);

    Task<ImmutableArray<LegacyDeviceResult>> GetAsync();
}
