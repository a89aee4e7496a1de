using System.Collections.Immutable;
using Microsoft.AspNetCore.Http.HttpResults;
using OrleansLicensing.Contracts;
using OrleansLicensing.Gateway.Infrastructure;

namespace OrleansLicensing.Gateway.Apis;

/// <summary>Company API keys for machine clients (SPEC §4): company admins create, list and revoke them.</summary>
public static class ApiKeysApi
{
    public static ApiGroups MapApiKeysApi(this ApiGroups groups)
    {
        var keys = groups.Company.MapGroup("/api-keys").WithTags("ApiKeys").RequireCompanyRight(CompanyRights.AdminOnly);
        keys.MapPost(string.Empty, CreateAsync).WithName("CreateApiKey")
            .WithSummary("Create an API key for this company with a set of rights; the key is shown only in this answer (admins only)")
            .ProducesErrors(ErrorCodes.Conflict);
        keys.MapGet(string.Empty, ListAsync).WithName("ListApiKeys")
            .WithSummary("The company's live API keys with their rights and last use, never the keys themselves (admins only)");
        keys.MapDelete("/{keyId}", RevokeAsync).WithName("RevokeApiKey")
            .WithSummary("Revoke an API key; it is refused from the next request on (admins only)");
        return groups;
    }

    public static async Task<Created<CreatedApiKeyResponse>> CreateAsync(CreateApiKeyRequest request, CompanyCaller caller, IGrainFactory grains)
    {
        var name = Validate.Text(request.Name, "name", InputLimits.Text.ApiKeyName);
        if ((request.Rights?.Count ?? 0) > CompanyRights.All.Count)
        {
            throw LicensingException.Validation($"'rights' has at most {CompanyRights.All.Count} entries.");
        }

        var rights = (request.Rights ?? []).ToImmutableSortedSet(StringComparer.Ordinal);
        var unknown = rights.Where(r => !CompanyRights.All.Contains(r)).ToArray();
        if (unknown.Length > 0)
        {
            throw LicensingException.Validation($"Unknown right(s) {string.Join(", ", unknown)}; rights are {string.Join(", ", CompanyRights.All)}.");
        }

        var (keyId, key, hash) = ApiKeys.Create(caller.CompanyId);
        var view = await grains.GetGrain<ICompanyApiKeysGrain>(caller.CompanyId).CreateAsync(caller.Email, keyId, name, rights, hash);
        return TypedResults.Created($"/api/v1/companies/{caller.CompanyId}/api-keys/{keyId}", new CreatedApiKeyResponse(ApiKeyResponse.From(view), key));
    }

    public static async Task<Ok<ApiKeyResponse[]>> ListAsync(CompanyCaller caller, IGrainFactory grains) =>
        TypedResults.Ok((await grains.GetGrain<ICompanyApiKeysGrain>(caller.CompanyId).ListAsync()).Select(ApiKeyResponse.From).ToArray());

    public static async Task<NoContent> RevokeAsync(string keyId, CompanyCaller caller, IGrainFactory grains)
    {
        await grains.GetGrain<ICompanyApiKeysGrain>(caller.CompanyId).RevokeAsync(caller.Email, Validate.Id(keyId, "The API key"));
        return TypedResults.NoContent();
    }
}

public sealed record CreateApiKeyRequest(string Name, List<string>? Rights = null);

public sealed record ApiKeyResponse(string KeyId, string Name, string[] Rights, DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset? LastUsedAt)
{
    public static ApiKeyResponse From(ApiKeyView key) => new(key.KeyId, key.Name, [.. key.Rights], key.CreatedAt, key.CreatedBy, key.LastUsedAt);
}

/// <summary>The new key's facts and the key itself (<see cref="Key"/>), which is never shown again.</summary>
public sealed record CreatedApiKeyResponse(ApiKeyResponse ApiKey, string Key);
