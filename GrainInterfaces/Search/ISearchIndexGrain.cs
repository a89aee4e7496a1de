using Orleans.Concurrency;

namespace OrleansLicensing.Contracts;

/// <summary>
/// One company's search index (R-Q1): devices (MAC, name, comment, licenses held), projects
/// (name, description) and own activation keys (code, comment), in memory. It is derived data:
/// built from the company's grains when it activates, then kept current by change notices the
/// grains send after they commit (it reads the changed item again, so a notice carries no data
/// that could arrive out of order).
/// </summary>
public interface ISearchIndexGrain : IGrainWithStringKey
{
    public const int MaxHits = 50;

    Task<SearchResult> SearchAsync(SearchQuery query);

    /// <summary>
    /// Reads the named items again. One-way: a grain that changed sends it without waiting, so the
    /// index may call that grain back without a deadlock.
    /// </summary>
    [OneWay]
    Task ChangedAsync(SearchChanges changes);

    /// <summary>
    /// Builds the index again from the company's grains, as at activation: for an operator who
    /// suspects a lost change notice (the index is derived data and never the only copy).
    /// </summary>
    Task RebuildAsync();

    /// <summary>How many devices, projects and keys the index holds (for tests and operators).</summary>
    Task<(int Devices, int Projects, int Keys)> CountAsync();
}
