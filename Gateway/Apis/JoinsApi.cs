using Microsoft.AspNetCore.Http.HttpResults;
using OrleansLicensing.Contracts;
using OrleansLicensing.Gateway.Infrastructure;

namespace OrleansLicensing.Gateway.Apis;

/// <summary>
/// Joining a company into another (R-U3) and a project into another (R-P4). Both run as durable
/// processes in the cluster: the request answers 202 Accepted with a status URL at once.
/// </summary>
public static class JoinsApi
{
    public const string Tag = "Joins";

    public static ApiGroups MapJoinsApi(this ApiGroups groups)
    {
        var company = groups.Company.MapGroup(string.Empty).WithTags(Tag);
        company.MapPost("/join", JoinCompanyAsync).WithName("JoinCompany")
            .WithSummary("Join another company into this one (admins only; with an admin login of the other company): its projects, users, devices, balances and keys move here, then it is deleted")
            .RequireCompanyRight(CompanyRights.AdminOnly)
            .Produces<JoinStatusResponse>(StatusCodes.Status202Accepted)
            .ProducesErrors(ErrorCodes.JoinCredentialsInvalid, ErrorCodes.JoinInProgress, ErrorCodes.Conflict);
        company.MapGet("/joins/{processId}", GetCompanyJoinAsync).WithName("GetCompanyJoin")
            .WithSummary("The progress of a company join into this company (admins only)")
            .RequireCompanyRight(CompanyRights.AdminOnly);
        company.MapPost("/projects/{pid}/join", JoinProjectAsync).WithName("JoinProject")
            .WithSummary("Preview (dryRun) or start joining the project into another project of the company; a target under SSA brings the licenses to its SSA end for SSC")
            .Produces<ProjectJoinPreviewResponse>(StatusCodes.Status200OK)
            .Produces<JoinStatusResponse>(StatusCodes.Status202Accepted)
            .ProducesErrors(ErrorCodes.ProjectHasExternalRights, ErrorCodes.InsufficientSsc, ErrorCodes.QuoteNotConfirmable, ErrorCodes.JoinInProgress, ErrorCodes.Conflict);
        company.MapGet("/project-joins/{processId}", GetProjectJoinAsync).WithName("GetProjectJoin")
            .WithSummary("The progress of a project join in this company");
        return groups;
    }

    public static async Task<Accepted<JoinStatusResponse>> JoinCompanyAsync(CompanyJoinRequest request, CompanyCaller caller, IdempotencyKey? idempotency, IGrainFactory grains)
    {
        if (string.IsNullOrEmpty(request.CompanyId))
        {
            throw LicensingException.Validation("Name the company to join ('companyId').");
        }

        if (request.CompanyId == caller.CompanyId)
        {
            throw LicensingException.Validation("A company cannot be joined into itself.");
        }

        var source = await VerifySourceAdminAsync(request, grains);
        var processId = idempotency is null ? Codes.NewId() : Codes.IdFrom(idempotency.Scope);
        var status = await grains.GetGrain<ICompanyJoinProcessGrain>(processId).StartAsync(new CompanyJoinPlan(caller.CompanyId, source, caller.Email));
        var url = $"{ApiGroups.Prefix}/companies/{caller.CompanyId}/joins/{processId}";
        return TypedResults.Accepted(url, JoinStatusResponse.From(status, url));
    }

    public static async Task<Ok<JoinStatusResponse>> GetCompanyJoinAsync(string processId, CompanyCaller caller, IGrainFactory grains)
    {
        var id = Validate.Id(processId, "The join");
        var status = await grains.GetGrain<ICompanyJoinProcessGrain>(id).GetStatusForAsync(caller.CompanyId);
        return TypedResults.Ok(JoinStatusResponse.From(status, $"{ApiGroups.Prefix}/companies/{caller.CompanyId}/joins/{id}"));
    }

    public static async Task<Results<Ok<ProjectJoinPreviewResponse>, Accepted<JoinStatusResponse>>> JoinProjectAsync(
        ProjectJoinRequest request, CompanyCaller caller, IdempotencyKey? idempotency, IGrainFactory grains, TimeProvider time)
    {
        var target = Validate.Id(request.TargetProjectId ?? string.Empty, "The target project");
        if (target == caller.ProjectId)
        {
            throw LicensingException.Validation("A project cannot be joined into itself.");
        }

        await grains.GetGrain<ICompanyGrain>(caller.CompanyId).EnsureOwnsProjectAsync(target);
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var calculationDate = request.CalculationDate ?? today;
        if (request.DryRun == true)
        {
            var preview = await grains.GetGrain<IProjectJoinQuoteGrain>(0).PreviewAsync(caller.CompanyId, caller.ProjectId!, target, calculationDate);
            return TypedResults.Ok(ProjectJoinPreviewResponse.From(preview));
        }

        // R-S1: only a quote for today is paid.
        if (calculationDate != today)
        {
            throw new LicensingException(ErrorCodes.QuoteNotConfirmable, $"Only a join calculated for today ({today:yyyy-MM-dd}) can be confirmed; {calculationDate:yyyy-MM-dd} is a preview only.");
        }

        var processId = idempotency is null ? Codes.NewId() : Codes.IdFrom(idempotency.Scope);
        var status = await grains.GetGrain<IProjectJoinProcessGrain>(processId)
            .StartAsync(new ProjectJoinPlan(caller.CompanyId, caller.ProjectId!, target, caller.Email, calculationDate));
        var url = $"{ApiGroups.Prefix}/companies/{caller.CompanyId}/project-joins/{processId}";
        return TypedResults.Accepted(url, JoinStatusResponse.From(status, url));
    }

    public static async Task<Ok<JoinStatusResponse>> GetProjectJoinAsync(string processId, CompanyCaller caller, IGrainFactory grains)
    {
        var id = Validate.Id(processId, "The join");
        var status = await grains.GetGrain<IProjectJoinProcessGrain>(id).GetStatusForAsync(caller.CompanyId);
        return TypedResults.Ok(JoinStatusResponse.From(status, $"{ApiGroups.Prefix}/companies/{caller.CompanyId}/project-joins/{id}"));
    }

    /// <summary>
    /// The other company's id, once the body names an activated account with that password which
    /// is an unlocked admin of it (R-U3); otherwise JoinCredentialsInvalid, saying no more.
    /// </summary>
    private static async Task<string> VerifySourceAdminAsync(CompanyJoinRequest request, IGrainFactory grains)
    {
        var refused = new LicensingException(ErrorCodes.JoinCredentialsInvalid, "The e-mail address and password must be those of an unlocked admin of the company to join.");
        if (!Email.TryNormalize(request.Email, out var email) || string.IsNullOrEmpty(request.Password) || request.Password.Length > PasswordRules.MaxLength)
        {
            throw refused;
        }

        string source;
        try
        {
            source = Validate.Id(request.CompanyId!, "The company");
        }
        catch (LicensingException)
        {
            throw refused;
        }

        var account = await grains.GetGrain<IUserGrain>(email).VerifyPasswordAsync(request.Password);
        if (account is null || !account.Activated)
        {
            throw refused;
        }

        try
        {
            await grains.GetGrain<ICompanyGrain>(source).AuthorizeAsync(email, CompanyRights.AdminOnly);
        }
        catch (LicensingException e) when (e.Code is ErrorCodes.NotFound or ErrorCodes.Forbidden or ErrorCodes.UserLocked)
        {
            throw refused;
        }

        return source;
    }
}
