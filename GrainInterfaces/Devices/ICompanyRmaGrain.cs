using System.Collections.Immutable;

namespace OrleansLicensing.Contracts;

/// <summary>The MACs a company ever requested RMA for (R-D7), keyed by company id; the RMA itself lives in <see cref="IRmaGrain"/>.</summary>
public interface ICompanyRmaGrain : IGrainWithStringKey
{
    Task AddAsync(string mac);

    Task<ImmutableArray<string>> ListAsync();
}
