using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using OrleansLicensing.Contracts;
using OrleansLicensing.Gateway.Infrastructure;
using OrleansLicensing.Grains.Domain;

namespace OrleansLicensing.Gateway.Apis;

/// <summary>Redeeming activation keys into a project and reading its balance (R-K2, R-P5).</summary>
public static class ActivationsApi
{
    public static IEndpointRouteBuilder MapActivationsApi(this IEndpointRouteBuilder routes)
    {
        var project = routes.MapGroup("/api/v1/companies/{cid}/projects/{pid}").WithTags("Balances").RequireAuthorization(BearerAuthenticationHandler.UserPolicy);
        project.MapPost("/activations", RedeemAsync).WithName("RedeemActivationKey").WithProblems(400, 401, 403, 404, 409, 413, 415, 503);
        project.MapGet("/balance", GetBalanceAsync).WithName("GetProjectBalance").WithProblems(401, 403, 404, 503);
        return routes;
    }

    public static async Task<Created<RedeemResponse>> RedeemAsync(string cid, string pid, RedeemRequest request, ClaimsPrincipal user, HttpContext context, IGrainFactory grains)
    {
        var code = Codes.NormalizeActivationKey(request.Key) ?? throw LicensingException.NotFound("The activation key");
        var comment = Validate.OptionalText(request.Comment, "comment", 500);
        await Access.ProjectAsync(grains, user, cid, pid);
        var result = await grains.GetGrain<ILedgerGrain>(0).RedeemKeyAsync(code, cid, pid, comment, Idempotency.From(context, user, request));
        return TypedResults.Created($"/api/v1/companies/{cid}/projects/{pid}/activations", new RedeemResponse(result.Key, result.Licenses, result.ProjectId));
    }

    public static async Task<Ok<BalanceResponse>> GetBalanceAsync(string cid, string pid, ClaimsPrincipal user, IGrainFactory grains)
    {
        var project = await Access.ProjectAsync(grains, user, cid, pid);
        return TypedResults.Ok(new BalanceResponse(pid, await project.GetBalanceAsync()));
    }
}
