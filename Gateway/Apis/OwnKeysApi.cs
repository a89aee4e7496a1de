using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using OrleansLicensing.Contracts;
using OrleansLicensing.Gateway.Infrastructure;
using OrleansLicensing.Grains.Domain;

namespace OrleansLicensing.Gateway.Apis;

/// <summary>Own activation keys created from a project's balance (R-K3).</summary>
public static class OwnKeysApi
{
    public static IEndpointRouteBuilder MapOwnKeysApi(this IEndpointRouteBuilder routes)
    {
        var keys = routes.MapGroup("/api/v1/companies/{cid}/projects/{pid}/own-keys").WithTags("Own keys").RequireAuthorization(BearerAuthenticationHandler.UserPolicy);
        keys.MapPost("/", CreateAsync).WithName("CreateOwnKey").WithProblems(400, 401, 403, 404, 409, 413, 415, 503);
        keys.MapPatch("/{key}", UpdateAsync).WithName("UpdateOwnKey").WithProblems(400, 401, 403, 404, 409, 413, 415, 503);
        keys.MapDelete("/{key}", DeleteAsync).WithName("DeleteOwnKey").WithProblems(401, 403, 404, 409, 503);
        return routes;
    }

    public static async Task<Created<OwnKeyResponse>> CreateAsync(string cid, string pid, CreateOwnKeyRequest request, ClaimsPrincipal user, HttpContext context, IGrainFactory grains, Catalog catalog)
    {
        var licenses = catalog.ValidateLicenseMap(request.Licenses);
        var draft = new OwnKeyDraft(cid, pid, licenses,
            Validate.OptionalText(request.Comment, "comment", 500),
            Validate.OptionalText(request.OrderNumber, "orderNumber", 100),
            Validate.OptionalText(request.OrderReference, "orderReference", 100));
        await Access.ProjectAsync(grains, user, cid, pid);
        var key = await grains.GetGrain<ILedgerGrain>(0).CreateOwnKeyAsync(draft, Idempotency.From(context, user, request));
        return TypedResults.Created($"/api/v1/companies/{cid}/projects/{pid}/own-keys/{key.Key}", Response(key));
    }

    public static async Task<Ok<OwnKeyResponse>> UpdateAsync(string cid, string pid, string key, UpdateOwnKeyRequest request, ClaimsPrincipal user, HttpContext context, IGrainFactory grains, Catalog catalog)
    {
        var delta = catalog.ValidateLicenseMap(request.Licenses, allowNegative: true);
        var code = Codes.NormalizeActivationKey(key) ?? throw LicensingException.NotFound("The own activation key");
        await Access.ProjectAsync(grains, user, cid, pid);
        var updated = await grains.GetGrain<ILedgerGrain>(0).UpdateOwnKeyAsync(cid, code, delta, Idempotency.From(context, user, request));
        return TypedResults.Ok(Response(updated));
    }

    public static async Task<Ok<OwnKeyResponse>> DeleteAsync(string cid, string pid, string key, ClaimsPrincipal user, HttpContext context, IGrainFactory grains)
    {
        var code = Codes.NormalizeActivationKey(key) ?? throw LicensingException.NotFound("The own activation key");
        await Access.ProjectAsync(grains, user, cid, pid);
        var deleted = await grains.GetGrain<ILedgerGrain>(0).DeleteOwnKeyAsync(cid, code, Idempotency.From(context, user, new { key = code }));
        return TypedResults.Ok(Response(deleted));
    }

    private static OwnKeyResponse Response(ActivationKeyView key) => new(key.Key, key.Licenses, key.OrderNumber, key.OrderReference, key.OwnerProjectId);
}
