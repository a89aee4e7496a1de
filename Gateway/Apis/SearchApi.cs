using Microsoft.AspNetCore.Http.HttpResults;
using OrleansLicensing.Contracts;
using OrleansLicensing.Gateway.Infrastructure;

namespace OrleansLicensing.Gateway.Apis;

/// <summary>The company's search field (R-Q1): devices, projects, own activation keys and license types.</summary>
public static class SearchApi
{
    public static ApiGroups MapSearchApi(this ApiGroups groups)
    {
        groups.Company.MapGet("/search", SearchAsync).WithTags("Search").WithName("Search")
            .WithSummary("Find the company's devices (MAC in any accepted form, name, comment), projects (name, description), own activation keys (code, comment) and devices by license type (`PBX-Port8`, or `PBX-Port8=100` for at least 100 units)")
            .WithDescription("At least 3 characters (5 to find activation keys); `kind` narrows to device, project, key or licenseType. Each list holds at most 50 hits; `truncated` tells when one was cut.")
            .ProducesErrors(ErrorCodes.SearchTooShort, ErrorCodes.ValidationFailed);
        return groups;
    }

    public static async Task<Ok<SearchResponse>> SearchAsync(CompanyCaller caller, IGrainFactory grains, string? q = null, string? kind = null)
    {
        var query = SearchQuery.Parse(q, kind);
        var result = await grains.GetGrain<ISearchIndexGrain>(caller.CompanyId).SearchAsync(query);
        return TypedResults.Ok(new SearchResponse(
            [.. result.Devices.Select(d => new SearchDeviceResponse(d.Mac, d.ProjectId, d.Name, d.Comment, d.Licenses, d.MatchedBy))],
            [.. result.Projects.Select(p => new SearchProjectResponse(p.ProjectId, p.Name, p.Description))],
            [.. result.Keys.Select(k => new SearchKeyResponse(k.Key, k.ProjectId, k.Comment, k.Licenses))],
            result.Truncated));
    }
}

public sealed record SearchDeviceResponse(string Mac, string? ProjectId, string? Name, string? Comment, IReadOnlyDictionary<string, int> Licenses, string MatchedBy);

public sealed record SearchProjectResponse(string ProjectId, string Name, string? Description);

public sealed record SearchKeyResponse(string Key, string? ProjectId, string? Comment, IReadOnlyDictionary<string, int> Licenses);

public sealed record SearchResponse(
    IReadOnlyList<SearchDeviceResponse> Devices,
    IReadOnlyList<SearchProjectResponse> Projects,
    IReadOnlyList<SearchKeyResponse> Keys,
    bool Truncated);
