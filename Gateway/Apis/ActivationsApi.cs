using Microsoft.AspNetCore.Http.HttpResults;
using OrleansLicensing.Contracts;
using OrleansLicensing.Gateway.Infrastructure;

namespace OrleansLicensing.Gateway.Apis;

/// <summary>Redeeming activation keys into a project, the keys redeemed, and balances (R-K2, R-P5).</summary>
public static class ActivationsApi
{
    public static ApiGroups MapActivationsApi(this ApiGroups groups)
    {
        var project = groups.Company.MapGroup("/projects/{pid}").WithTags("Balances");
        project.MapPost("/activations", RedeemAsync).WithName("RedeemActivationKey")
            .WithSummary("Redeem an activation key into the project's balance (exactly once)")
            .ProducesErrors(ErrorCodes.KeyAlreadyAssigned, ErrorCodes.TransientConflict).AllowExternalProjectRights();
        project.MapGet("/balance", GetBalanceAsync).WithName("GetProjectBalance")
            .WithSummary("The project's balance: license type → units").ProducesErrors(ErrorCodes.TransientConflict).AllowExternalProjectRights();
        project.MapGet("/activations", ListProjectActivationsAsync).WithName("ListProjectActivations")
            .WithSummary("The activation keys redeemed into the project, oldest first").ProducesErrors(ErrorCodes.TransientConflict).AllowExternalProjectRights();

        var company = groups.Company.MapGroup(string.Empty).WithTags("Balances");
        company.MapGet("/balance", GetCompanyBalanceAsync).WithName("GetCompanyBalance")
            .WithSummary("The company's balance: the sum over its own projects").ProducesErrors(ErrorCodes.TransientConflict);
        company.MapGet("/activations", ListCompanyActivationsAsync).WithName("ListCompanyActivations")
            .WithSummary("The activation keys redeemed into any of the company's projects, newest first").ProducesErrors(ErrorCodes.TransientConflict);
        return groups;
    }

    public static async Task<Created<RedeemResponse>> RedeemAsync(RedeemRequest request, CompanyCaller caller, IdempotencyKey? idempotency, IGrainFactory grains)
    {
        var code = Codes.NormalizeActivationKey(request.Key) ?? throw LicensingException.NotFound("The activation key");
        var comment = Validate.OptionalText(request.Comment, "comment", InputLimits.Text.KeyComment);
        var result = await grains.LedgerFor(caller.ProjectCompanyId!).RedeemKeyAsync(code, caller.ProjectCompanyId!, caller.ProjectId!, comment, idempotency?.For(request), caller.Email);
        return TypedResults.Created($"/api/v1/companies/{caller.CompanyId}/projects/{caller.ProjectId}/activations", new RedeemResponse(result.Key, result.Licenses, result.ProjectId));
    }

    public static async Task<Ok<BalanceResponse>> GetBalanceAsync(CompanyCaller caller, IGrainFactory grains) =>
        TypedResults.Ok(new BalanceResponse(caller.ProjectId!, await TransactionalReads.RunAsync(() => grains.GetGrain<IProjectGrain>(caller.ProjectId!).GetBalanceAsync())));

    public static async Task<Ok<RedeemedKeyResponse[]>> ListProjectActivationsAsync(CompanyCaller caller, IGrainFactory grains) =>
        TypedResults.Ok((await grains.GetGrain<IProjectGrain>(caller.ProjectId!).ListRedeemedKeysAsync()).Select(RedeemedKeyResponse.From).ToArray());

    public static async Task<Ok<CompanyBalanceResponse>> GetCompanyBalanceAsync(CompanyCaller caller, IGrainFactory grains) =>
        TypedResults.Ok(new CompanyBalanceResponse(caller.CompanyId, await TransactionalReads.RunAsync(() => grains.GetGrain<ICompanyGrain>(caller.CompanyId).GetBalanceAsync())));

    public static async Task<Ok<RedeemedKeyResponse[]>> ListCompanyActivationsAsync(CompanyCaller caller, IGrainFactory grains) =>
        TypedResults.Ok((await grains.GetGrain<ICompanyGrain>(caller.CompanyId).ListRedeemedKeysAsync()).Select(RedeemedKeyResponse.From).ToArray());
}
