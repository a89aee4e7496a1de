using System.Collections.Immutable;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using OrleansLicensing.Contracts;
using OrleansLicensing.Gateway.Infrastructure;

namespace OrleansLicensing.Gateway.Apis;

/// <summary>Free licenses of a project (R-V5, R-V6) and adding them to devices (R-L4).</summary>
public static class FreePoolApi
{
    public const int MaxLots = 200;

    public static IEndpointRouteBuilder MapFreePoolApi(this IEndpointRouteBuilder routes)
    {
        var project = routes.MapGroup("/api/v1/companies/{cid}/projects/{pid}/free-licenses").WithTags("Free licenses").RequireAuthorization(BearerAuthenticationHandler.UserPolicy);
        project.MapGet("/", ListAsync).WithName("ListFreeLicenses").WithProblems(401, 403, 404, 503);
        project.MapPost("/convert", ConvertAsync).WithName("ConvertFreeLicenses").WithProblems(400, 401, 403, 404, 409, 413, 415, 503);

        routes.MapPost("/api/v1/companies/{cid}/devices/{mac}/licenses/from-free", AddFromFreeAsync)
            .WithTags("Free licenses").WithName("AddLicensesFromFreePool")
            .RequireAuthorization(BearerAuthenticationHandler.UserPolicy).WithProblems(400, 401, 403, 404, 409, 413, 415, 422, 503);
        return routes;
    }

    public static async Task<Ok<LotResponse[]>> ListAsync(string cid, string pid, ClaimsPrincipal user, IGrainFactory grains)
    {
        var project = await Access.ProjectAsync(grains, user, cid, pid);
        return TypedResults.Ok((await project.GetFreePoolAsync()).Select(LotResponse.From).ToArray());
    }

    public static async Task<Ok<ConvertResponse>> ConvertAsync(string cid, string pid, LotSelectionRequest request, ClaimsPrincipal user, HttpContext context, IGrainFactory grains)
    {
        var lotIds = LotIds(request);
        await Access.ProjectAsync(grains, user, cid, pid);
        var credited = await grains.GetGrain<ILedgerGrain>(0).ConvertFreePoolAsync(cid, pid, lotIds, Idempotency.From(context, user, request));
        return TypedResults.Ok(new ConvertResponse(pid, credited));
    }

    public static async Task<Ok<LotResponse[]>> AddFromFreeAsync(string cid, string mac, LotSelectionRequest request, ClaimsPrincipal user, HttpContext context, IGrainFactory grains)
    {
        var lotIds = LotIds(request);
        var (_, device) = await Access.DeviceAsync(grains, user, cid, mac);
        var lots = await grains.GetGrain<ILedgerGrain>(0).AddFromFreePoolAsync(cid, device.Mac, lotIds, Idempotency.From(context, user, request));
        return TypedResults.Ok(lots.Select(LotResponse.From).ToArray());
    }

    internal static ImmutableArray<string> LotIds(LotSelectionRequest request)
    {
        if (request.LotIds is null || request.LotIds.Count == 0 || request.LotIds.Count > MaxLots)
        {
            throw LicensingException.Validation($"'lotIds' must name 1 to {MaxLots} lots.");
        }

        return [.. request.LotIds.Select(id => Validate.Text(id, "lotIds", 64)).Distinct(StringComparer.Ordinal)];
    }
}
