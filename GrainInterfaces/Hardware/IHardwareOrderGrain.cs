using System.Collections.Immutable;

namespace OrleansLicensing.Contracts;

/// <summary>Devices shipped under one order number, for adds by order (R-D1).</summary>
public interface IHardwareOrderGrain : IGrainWithStringKey
{
    Task AddAsync(string mac);

    Task<ImmutableArray<string>> ListAsync();
}
