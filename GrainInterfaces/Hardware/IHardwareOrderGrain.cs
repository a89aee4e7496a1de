using System.Collections.Immutable;

namespace OrleansLicensing.Contracts;

/// <summary>Devices shipped under one order number, for adds by order (R-D1).</summary>
public interface IHardwareOrderGrain : IGrainWithStringKey
{
    /// <summary>Adds the MACs (already listed ones are ignored) with one storage write.</summary>
    Task AddAsync(ImmutableArray<string> macs);

    Task<ImmutableArray<string>> ListAsync();
}
