using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using OrleansLicensing.Contracts;
using OrleansLicensing.Gateway.Infrastructure;

namespace OrleansLicensing.Gateway.Apis;

/// <summary>Companies and their projects (R-U2, R-P1).</summary>
public static class CompaniesApi
{
    public static ApiGroups MapCompaniesApi(this ApiGroups groups)
    {
        groups.User.MapPost("/companies", CreateCompanyAsync).WithTags("Companies").WithName("CreateCompany")
            .WithSummary("Create a company with the caller as its admin and a DEFAULT project").ProducesErrors(ErrorCodes.NotFound, ErrorCodes.Conflict);

        var company = groups.Company.MapGroup(string.Empty).WithTags("Companies");
        company.MapGet(string.Empty, GetCompanyAsync).WithName("GetCompany").WithSummary("A company the caller belongs to, with its data");
        company.MapPatch(string.Empty, UpdateCompanyAsync).WithName("UpdateCompany").WithSummary("Edit the company's data (admins only)")
            .RequireCompanyRight(CompanyRights.AdminOnly);
        company.MapGet("/projects", ListProjectsAsync).WithName("ListProjects").WithSummary("The company's projects");
        company.MapPost("/projects", CreateProjectAsync).WithName("CreateProject")
            .WithSummary("Create a project (names are unique per company)").ProducesErrors(ErrorCodes.DuplicateProjectName, ErrorCodes.Conflict);
        company.MapGet("/projects/{pid}", GetProjectAsync).WithName("GetProject").WithSummary("One project of the company, or one it holds rights on")
            .AllowExternalProjectRights();
        company.MapGet("/projects/{pid}/rights", ListRightsAsync).WithName("ListProjectRights")
            .WithSummary("The other companies granted rights on the project (admins only)").RequireCompanyRight(CompanyRights.AdminOnly);
        company.MapPost("/projects/{pid}/rights", GrantRightAsync).WithName("GrantProjectRight")
            .WithSummary("Grant another company rights on the project: its users may add devices and activation keys (admins only)")
            .RequireCompanyRight(CompanyRights.AdminOnly);
        company.MapDelete("/projects/{pid}/rights", RevokeRightAsync).WithName("RevokeProjectRight")
            .WithSummary("Revoke a company's rights on the project (admins only)").RequireCompanyRight(CompanyRights.AdminOnly);
        company.MapPatch("/projects/{pid}", UpdateProjectAsync).WithName("UpdateProject")
            .WithSummary("Rename and/or describe a project (names stay unique per company), or turn its SSA expiry mails on or off").ProducesErrors(ErrorCodes.DuplicateProjectName);
        company.MapDelete("/projects/{pid}", DeleteProjectAsync).WithName("DeleteProject")
            .WithSummary("Delete a project without activation keys, devices, balance or free licenses (not the default project)")
            .ProducesErrors(ErrorCodes.ProjectNotEmpty, ErrorCodes.Conflict, ErrorCodes.TransientConflict);
        return groups;
    }

    public static async Task<Created<CompanyResponse>> CreateCompanyAsync(CreateCompanyRequest request, ClaimsPrincipal user, IdempotencyKey? idempotency, IGrainFactory grains)
    {
        var name = Validate.Text(request.Name, "name", InputLimits.Text.CompanyName);
        var email = user.Email();
        await grains.GetGrain<IUserGrain>(email).GetAsync();

        // With an Idempotency-Key the company id derives from it, so a retry meets the same company.
        var companyId = idempotency is null ? Codes.NewId() : Codes.IdFrom(idempotency.Scope);
        var company = await grains.GetGrain<ICompanyGrain>(companyId).CreateAsync(name, email);
        return TypedResults.Created($"/api/v1/companies/{company.CompanyId}", CompanyResponse.From(company));
    }

    public static async Task<Ok<CompanyResponse>> GetCompanyAsync(CompanyCaller caller, IGrainFactory grains)
    {
        var view = await grains.GetGrain<ICompanyGrain>(caller.CompanyId).GetAsync();
        return TypedResults.Ok(CompanyResponse.From(view));
    }

    public static async Task<Ok<CompanyResponse>> UpdateCompanyAsync(UpdateCompanyRequest request, CompanyCaller caller, IGrainFactory grains)
    {
        var changes = new CompanyChanges(
            request.Name is null ? null : Validate.Text(request.Name, "name", InputLimits.Text.CompanyName),
            Optional(request.Street, "street", InputLimits.Text.Street),
            Optional(request.PostalCode, "postalCode", InputLimits.Text.PostalCode),
            Optional(request.City, "city", InputLimits.Text.City),
            Optional(request.Country, "country", InputLimits.Text.Country),
            Optional(request.Phone, "phone", InputLimits.Text.Phone));
        var view = await grains.GetGrain<ICompanyGrain>(caller.CompanyId).UpdateAsync(caller.Email, changes);
        return TypedResults.Ok(CompanyResponse.From(view));

        // null keeps the field; "" (or blanks) clears it.
        static string? Optional(string? value, string field, int maxLength) =>
            value is null ? null : string.IsNullOrWhiteSpace(value) ? string.Empty : Validate.Text(value, field, maxLength);
    }

    public static async Task<Ok<ProjectResponse[]>> ListProjectsAsync(CompanyCaller caller, IGrainFactory grains)
    {
        var projects = await grains.GetGrain<ICompanyGrain>(caller.CompanyId).ListProjectsAsync();
        return TypedResults.Ok(projects.Select(ProjectResponse.From).ToArray());
    }

    public static async Task<Created<ProjectResponse>> CreateProjectAsync(CreateProjectRequest request, CompanyCaller caller, IdempotencyKey? idempotency, IGrainFactory grains)
    {
        var name = Validate.Text(request.Name, "name", InputLimits.Text.ProjectName);
        var description = Validate.OptionalText(request.Description, "description", InputLimits.Text.ProjectDescription);
        var project = await grains.GetGrain<ICompanyGrain>(caller.CompanyId).CreateProjectAsync(name, description, idempotency is null ? null : Codes.IdFrom(idempotency.Scope));
        return TypedResults.Created($"/api/v1/companies/{caller.CompanyId}/projects/{project.ProjectId}", ProjectResponse.From(project));
    }

    public static async Task<Ok<ProjectResponse>> GetProjectAsync(CompanyCaller caller, IGrainFactory grains) =>
        TypedResults.Ok(ProjectResponse.From(await grains.GetGrain<IProjectGrain>(caller.ProjectId!).GetAsync()));

    public static async Task<Ok<ProjectResponse>> UpdateProjectAsync(UpdateProjectRequest request, CompanyCaller caller, IGrainFactory grains)
    {
        var name = request.Name is null ? null : Validate.Text(request.Name, "name", InputLimits.Text.ProjectName);

        // null keeps the description; "" (or blanks) clears it.
        var description = request.Description is null ? null
            : string.IsNullOrWhiteSpace(request.Description) ? string.Empty : Validate.Text(request.Description, "description", InputLimits.Text.ProjectDescription);
        var project = name is null && description is null && request.SsaExpiryMails is not null
            ? await grains.GetGrain<IProjectGrain>(caller.ProjectId!).GetAsync()
            : await grains.GetGrain<ICompanyGrain>(caller.CompanyId).UpdateProjectAsync(caller.ProjectId!, name, description);

        // R-S5: the project's switch for SSA expiry mails, beside its name and description.
        if (request.SsaExpiryMails is { } mails)
        {
            project = await grains.GetGrain<IProjectGrain>(caller.ProjectId!).SetSsaExpiryMailsAsync(mails);
        }

        return TypedResults.Ok(ProjectResponse.From(project));
    }

    public static async Task<NoContent> DeleteProjectAsync(CompanyCaller caller, IGrainFactory grains)
    {
        await grains.GetGrain<ICompanyGrain>(caller.CompanyId).DeleteProjectAsync(caller.ProjectId!);
        return TypedResults.NoContent();
    }

    public static async Task<Ok<ProjectRightsResponse>> ListRightsAsync(CompanyCaller caller, IGrainFactory grains) =>
        TypedResults.Ok(new ProjectRightsResponse(caller.ProjectId!, await grains.GetGrain<IProjectGrain>(caller.ProjectId!).ListRightsAsync()));

    public static async Task<Ok<ProjectRightsResponse>> GrantRightAsync(ProjectRightRequest request, CompanyCaller caller, IGrainFactory grains)
    {
        var grantee = Validate.Id(request.CompanyId ?? string.Empty, "The company");
        return TypedResults.Ok(new ProjectRightsResponse(caller.ProjectId!, await grains.GetGrain<IProjectGrain>(caller.ProjectId!).GrantRightAsync(grantee)));
    }

    public static async Task<Ok<ProjectRightsResponse>> RevokeRightAsync(string companyId, CompanyCaller caller, IGrainFactory grains)
    {
        var grantee = Validate.Id(companyId, "The company right");
        return TypedResults.Ok(new ProjectRightsResponse(caller.ProjectId!, await grains.GetGrain<IProjectGrain>(caller.ProjectId!).RevokeRightAsync(grantee)));
    }
}
