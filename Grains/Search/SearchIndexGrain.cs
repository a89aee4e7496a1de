using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Domain;

namespace OrleansLicensing.Grains.Grains;

/// <summary>
/// One company's search index (R-Q1, docs/history.md), held in memory only: it is derived from the
/// company's grains, rebuilt from them when it activates (company → projects → devices and own
/// keys), and kept current by <see cref="ChangedAsync"/> notices sent after commits. A notice
/// costs no storage write: the index reads the changed item again. A search is a scan of the
/// in-memory entries (10,000 devices: well under a millisecond of CPU, docs/benchmarks.md).
/// Kept active for a day so a busy company does not pay the rebuild often.
/// </summary>
[CollectionAgeLimit(Hours = 24)]
public sealed class SearchIndexGrain(ILogger<SearchIndexGrain> logger) : Grain, ISearchIndexGrain
{
    private const int RebuildParallelism = 256;

    private readonly Dictionary<string, DeviceEntry> _devices = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ProjectView> _projects = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ActivationKeyView> _keys = new(StringComparer.Ordinal);

    private string CompanyId => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken) => RebuildAsync();

    public async Task RebuildAsync()
    {
        _devices.Clear();
        _projects.Clear();
        _keys.Clear();
        ImmutableArray<ProjectView> projects;
        try
        {
            projects = await GrainFactory.GetGrain<ICompanyGrain>(CompanyId).ListProjectsAsync();
        }
        catch (LicensingException e) when (e.Code == ErrorCodes.NotFound)
        {
            return;
        }

        var macs = new List<string>();
        foreach (var project in projects)
        {
            _projects[project.ProjectId] = project;
            macs.AddRange(await GrainFactory.GetGrain<IProjectGrain>(project.ProjectId).ListDevicesAsync());
            foreach (var key in await GrainFactory.GetGrain<IProjectGrain>(project.ProjectId).ListOwnKeysAsync())
            {
                _keys[key.Key] = key;
            }
        }

        await RefreshDevicesAsync(macs);
        logger.LogInformation("Search index of {Company} built: {Devices} devices, {Projects} projects, {Keys} keys", CompanyId, _devices.Count, _projects.Count, _keys.Count);
    }

    public async Task ChangedAsync(SearchChanges changes)
    {
        await RefreshDevicesAsync(changes.Macs.IsDefault ? [] : changes.Macs);
        foreach (var projectId in changes.ProjectIds.IsDefault ? [] : changes.ProjectIds)
        {
            var view = await ReadOrNullAsync(() => GrainFactory.GetGrain<IProjectGrain>(projectId).GetAsync());
            if (view is not null && view.CompanyId == CompanyId)
            {
                _projects[projectId] = view;
            }
            else
            {
                _projects.Remove(projectId);
            }
        }

        foreach (var code in changes.Keys.IsDefault ? [] : changes.Keys)
        {
            var view = await ReadOrNullAsync(() => GrainFactory.GetGrain<IActivationKeyGrain>(code).GetAsync());
            if (view is not null && view.OwnerCompanyId == CompanyId)
            {
                _keys[code] = view;
            }
            else
            {
                _keys.Remove(code);
            }
        }
    }

    public Task<(int Devices, int Projects, int Keys)> CountAsync() => Task.FromResult((_devices.Count, _projects.Count, _keys.Count));

    public Task<SearchResult> SearchAsync(SearchQuery query) => Task.FromResult(Search(query, _devices.Values, _projects.Values, _keys.Values));

    /// <summary>The search itself, over entries: pure, so tests can call it without a grain.</summary>
    public static SearchResult Search(SearchQuery query, IEnumerable<DeviceEntry> devices, IEnumerable<ProjectView> projects, IEnumerable<ActivationKeyView> keys)
    {
        const StringComparison IgnoreCase = StringComparison.OrdinalIgnoreCase;
        var truncated = false;
        var text = query.Text;
        var macDigits = query.MacDigits;

        var deviceHits = new List<SearchDeviceHit>();
        var byDevice = query.Includes(SearchKinds.Device);
        var byType = query.Includes(SearchKinds.LicenseType) && query.LicenseTypePrefix is not null;
        if (byDevice || byType)
        {
            foreach (var device in devices)
            {
                var matchedBy =
                    byDevice && macDigits is not null && device.MacDigits.Contains(macDigits, StringComparison.Ordinal) ? "mac"
                    : byDevice && device.Name?.Contains(text, IgnoreCase) == true ? "name"
                    : byDevice && device.Comment?.Contains(text, IgnoreCase) == true ? "comment"
                    : byType && device.UnitsOfTypesStartingWith(query.LicenseTypePrefix!) is var units && units > 0 && units >= query.MinUnits ? SearchKinds.LicenseType
                    : null;
                if (matchedBy is not null)
                {
                    deviceHits.Add(new SearchDeviceHit(device.Mac, device.ProjectId, device.Name, device.Comment, device.Licenses, matchedBy));
                }
            }
        }

        var projectHits = !query.Includes(SearchKinds.Project) ? [] : projects
            .Where(p => p.Name.Contains(text, IgnoreCase) || p.Description?.Contains(text, IgnoreCase) == true)
            .Select(p => new SearchProjectHit(p.ProjectId, p.Name, p.Description))
            .ToList();

        var keyText = query.KeyText;
        var keyHits = !query.Includes(SearchKinds.Key) || text.Length < SearchQuery.MinKeyLength ? [] : keys
            .Where(k => k.Key.Replace("-", string.Empty, StringComparison.Ordinal).Contains(keyText, StringComparison.OrdinalIgnoreCase)
                || k.OwnComment?.Contains(text, IgnoreCase) == true)
            .Select(k => new SearchKeyHit(k.Key, k.OwnerProjectId, k.OwnComment, k.Licenses))
            .ToList();

        return new SearchResult(
            [.. Cap(deviceHits.OrderBy(d => d.Mac, StringComparer.Ordinal))],
            [.. Cap(projectHits.OrderBy(p => p.Name, StringComparer.OrdinalIgnoreCase))],
            [.. Cap(keyHits.OrderBy(k => k.Key, StringComparer.Ordinal))],
            truncated);

        IEnumerable<T> Cap<T>(IEnumerable<T> hits)
        {
            var list = hits.Take(ISearchIndexGrain.MaxHits + 1).ToList();
            if (list.Count > ISearchIndexGrain.MaxHits)
            {
                truncated = true;
                list.RemoveAt(list.Count - 1);
            }

            return list;
        }
    }

    private async Task RefreshDevicesAsync(IReadOnlyList<string> macs)
    {
        for (var start = 0; start < macs.Count; start += RebuildParallelism)
        {
            var batch = macs.Skip(start).Take(RebuildParallelism).ToArray();
            var views = await Task.WhenAll(batch.Select(mac => ReadOrNullAsync(() => GrainFactory.GetGrain<IDeviceGrain>(mac).GetAsync())));
            for (var i = 0; i < batch.Length; i++)
            {
                if (views[i] is { } view && view.CompanyId == CompanyId)
                {
                    _devices[batch[i]] = DeviceEntry.From(view);
                }
                else
                {
                    _devices.Remove(batch[i]);
                }
            }
        }
    }

    private static async Task<T?> ReadOrNullAsync<T>(Func<Task<T>> read)
        where T : class
    {
        try
        {
            return await read();
        }
        catch (LicensingException e) when (e.Code == ErrorCodes.NotFound)
        {
            return null;
        }
        catch (Orleans.Transactions.OrleansTransactionAbortedException e) when (e.InnerException is LicensingException { Code: ErrorCodes.NotFound })
        {
            // A transactional read (an activation key) reports a refusal wrapped in the aborted transaction.
            return null;
        }
    }
}

/// <summary>A device as the search index holds it: what can be searched, prepared once.</summary>
public sealed record DeviceEntry(string Mac, string MacDigits, string? ProjectId, string? Name, string? Comment, ImmutableSortedDictionary<string, int> Licenses)
{
    public static DeviceEntry From(DeviceView view) => new(
        view.Mac,
        view.Mac.Replace("-", string.Empty, StringComparison.Ordinal),
        view.ProjectId,
        view.Name,
        view.Comment,
        LicenseMath.ToMap(view.Lots.Select(l => KeyValuePair.Create(l.Type, l.Units))));

    /// <summary>The units held of every license type whose code starts with <paramref name="prefix"/> (case-insensitive), summed.</summary>
    public int UnitsOfTypesStartingWith(string prefix)
    {
        var units = 0;
        foreach (var (type, count) in Licenses)
        {
            if (type.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                units += count;
            }
        }

        return units;
    }
}
