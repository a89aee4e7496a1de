using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using OrleansLicensing.Contracts;
using OrleansLicensing.Gateway.Infrastructure;

namespace OrleansLicensing.Gateway.Apis;

public static class CompaniesApi
{
    public static IEndpointRouteBuilder MapCompaniesApi(this IEndpointRouteBuilder routes)
    {
        var companies = routes.MapGroup("/api/v1/companies").WithTags("Companies").RequireAuthorization(BearerAuthenticationHandler.UserPolicy);
        companies.MapPost("/", CreateCompanyAsync).WithName("CreateCompany").WithProblems(400, 401, 404, 413, 415);
        companies.MapGet("/{cid}", GetCompanyAsync).WithName("GetCompany").WithProblems(401, 403, 404);
        companies.MapGet("/{cid}/projects", ListProjectsAsync).WithName("ListProjects").WithProblems(401, 403, 404);
        companies.MapPost("/{cid}/projects", CreateProjectAsync).WithName("CreateProject").WithProblems(400, 401, 403, 404, 409, 413, 415);
        companies.MapGet("/{cid}/projects/{pid}", GetProjectAsync).WithName("GetProject").WithProblems(401, 403, 404);
        return routes;
    }

    public static async Task<Created<CompanyResponse>> CreateCompanyAsync(CreateCompanyRequest request, ClaimsPrincipal user, HttpContext context, IGrainFactory grains)
    {
        var name = Validate.Text(request.Name, "name", 200);
        var email = user.Email();
        await grains.GetGrain<IUserGrain>(email).GetAsync();

        // With an Idempotency-Key the company id derives from it, so a retry meets the same company.
        var idempotency = Idempotency.From(context, user, request);
        var companyId = idempotency is null ? Grains.Domain.Codes.NewId() : Grains.Domain.Codes.IdFrom(idempotency.Scope);
        var company = await grains.GetGrain<ICompanyGrain>(companyId).CreateAsync(name, email);
        return TypedResults.Created($"/api/v1/companies/{company.CompanyId}", new CompanyResponse(company.CompanyId, company.Name, company.DefaultProjectId));
    }

    public static async Task<Ok<CompanyResponse>> GetCompanyAsync(string cid, ClaimsPrincipal user, IGrainFactory grains)
    {
        var company = await Access.CompanyAsync(grains, user, cid);
        var view = await company.GetAsync();
        return TypedResults.Ok(new CompanyResponse(view.CompanyId, view.Name, view.DefaultProjectId));
    }

    public static async Task<Ok<ProjectResponse[]>> ListProjectsAsync(string cid, ClaimsPrincipal user, IGrainFactory grains)
    {
        var company = await Access.CompanyAsync(grains, user, cid);
        var projects = await company.ListProjectsAsync();
        return TypedResults.Ok(projects.Select(ProjectResponse.From).ToArray());
    }

    public static async Task<Created<ProjectResponse>> CreateProjectAsync(string cid, CreateProjectRequest request, ClaimsPrincipal user, HttpContext context, IGrainFactory grains)
    {
        var name = Validate.Text(request.Name, "name", 100);
        var description = Validate.OptionalText(request.Description, "description", 1000);
        var company = await Access.CompanyAsync(grains, user, cid);
        var idempotency = Idempotency.From(context, user, request);
        var project = await company.CreateProjectAsync(name, description, idempotency is null ? null : Grains.Domain.Codes.IdFrom(idempotency.Scope));
        return TypedResults.Created($"/api/v1/companies/{cid}/projects/{project.ProjectId}", ProjectResponse.From(project));
    }

    public static async Task<Ok<ProjectResponse>> GetProjectAsync(string cid, string pid, ClaimsPrincipal user, IGrainFactory grains)
    {
        var project = await Access.ProjectAsync(grains, user, cid, pid);
        return TypedResults.Ok(ProjectResponse.From(await project.GetAsync()));
    }
}
