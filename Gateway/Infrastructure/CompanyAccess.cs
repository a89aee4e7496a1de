using System.Collections.Immutable;
using System.Security.Claims;
using OrleansLicensing.Contracts;

namespace OrleansLicensing.Gateway.Infrastructure;

/// <summary>Marks the endpoints of the company route group, which its filter authorizes.</summary>
public sealed class CompanyScopeMetadata
{
    public static readonly CompanyScopeMetadata Instance = new();

    private CompanyScopeMetadata()
    {
    }
}

/// <summary>
/// Marks a <c>{pid}</c> or <c>{mac}</c> route that users of a company holding an external right on
/// the project (of the device) may use too (R-P2): they call it under their own company's id.
/// </summary>
public sealed class ExternalProjectRightsMetadata
{
    public static readonly ExternalProjectRightsMetadata Instance = new();

    private ExternalProjectRightsMetadata()
    {
    }
}

/// <summary>The company right (R-U1) a company route needs; admins hold every right.</summary>
public sealed record CompanyRightMetadata(string Right);

/// <summary>
/// The caller of a company route, authorized once by the group's filter (R-U1, R-U2, R-P2):
/// a member of the company, not locked there, holding the route's right; the project of a
/// <c>{pid}</c> route belongs to the company; the device of a <c>{mac}</c> route is in it.
/// Handlers take it as a parameter and read what the filter established.
/// </summary>
public sealed class CompanyCaller
{
    private Membership? _membership;
    private DeviceView? _device;

    private CompanyCaller(string email)
    {
        Email = email;
    }

    public string Email { get; }

    /// <summary>The company id from the route (valid once authorized).</summary>
    public string CompanyId { get; private set; } = string.Empty;

    /// <summary>The project id from the route, when the route has one.</summary>
    public string? ProjectId { get; private set; }

    /// <summary>
    /// The company that owns the route's project or device: <see cref="CompanyId"/>, or for a
    /// project the caller's company holds an external right on (R-P2), the project's owner. Units,
    /// devices and licenses added through the route belong to it.
    /// </summary>
    public string? ProjectCompanyId { get; private set; }

    public Membership Membership => _membership ?? throw new InvalidOperationException("A company route ran without the company group's filter.");

    /// <summary>The device of a <c>{mac}</c> route: in this company, or in a project it holds an external right on (R-P2).</summary>
    public DeviceView Device => _device ?? throw new InvalidOperationException("The route has no {mac} the filter checked.");

    /// <summary>Binds the caller; the group's filter (which runs after binding) authorizes it.</summary>
    public static ValueTask<CompanyCaller?> BindAsync(HttpContext context) => ValueTask.FromResult<CompanyCaller?>(For(context));

    internal static CompanyCaller For(HttpContext context)
    {
        if (context.Features.Get<CompanyCaller>() is { } caller)
        {
            return caller;
        }

        caller = new CompanyCaller(ApiKeys.ActorOf(context.User) ?? context.User.Email());
        context.Features.Set(caller);
        return caller;
    }

    internal void Authorize(string companyId, string? projectId, string? projectCompanyId, Membership membership, DeviceView? device)
    {
        CompanyId = companyId;
        ProjectId = projectId;
        ProjectCompanyId = projectCompanyId;
        _membership = membership;
        _device = device;
    }
}

/// <summary>The route group <c>/api/v1/companies/{cid}</c> and the filter that authorizes all of it.</summary>
public static class CompanyAccess
{
    public static RouteGroupBuilder MapCompanyGroup(this IEndpointRouteBuilder api, string policy) =>
        api.MapGroup("/companies/{cid}")
            .RequireAuthorization(policy)
            .WithMetadata(CompanyScopeMetadata.Instance)
            .AddEndpointFilter(AuthorizeAsync);

    /// <summary>Lets users of companies with an external right on <c>{pid}</c> use the route (R-P2).</summary>
    public static TBuilder AllowExternalProjectRights<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(ExternalProjectRightsMetadata.Instance);

    /// <summary>Declares the company right a route needs (checked by the group's filter).</summary>
    public static TBuilder RequireCompanyRight<TBuilder>(this TBuilder builder, string right)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new CompanyRightMetadata(right));

    private static async ValueTask<object?> AuthorizeAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var http = invocation.HttpContext;
        var routeValues = http.Request.RouteValues;
        var companyId = Validate.Id(routeValues["cid"] as string ?? string.Empty, "The company");
        var right = http.GetEndpoint()?.Metadata.GetMetadata<CompanyRightMetadata>()?.Right;
        var grains = http.RequestServices.GetRequiredService<IGrainFactory>();
        var caller = CompanyCaller.For(http);

        var company = grains.GetGrain<ICompanyGrain>(companyId);
        var membership = http.User.FindFirstValue(ApiKeys.CompanyClaim) is { } keyCompany
            ? await AuthorizeApiKeyAsync(company, http.User, keyCompany, companyId, caller.Email, right)
            : await company.AuthorizeAsync(caller.Email, right);

        string? projectId = null;
        string? projectCompanyId = null;
        if (routeValues.TryGetValue("pid", out var pid))
        {
            projectId = Validate.Id(pid as string ?? string.Empty, "The project");
            projectCompanyId = companyId;
            try
            {
                await company.EnsureOwnsProjectAsync(projectId);
            }
            catch (LicensingException e) when (e.Code == ErrorCodes.NotFound && AllowsExternal(http))
            {
                // R-P2: another company's project this company holds a right on; NotFound otherwise.
                projectCompanyId = await grains.GetGrain<IProjectGrain>(projectId).AuthorizeExternalAsync(companyId);
            }
        }

        DeviceView? device = null;
        if (routeValues.TryGetValue("mac", out var mac))
        {
            var canonical = Mac.Parse(mac as string).ToString();
            device = await grains.GetGrain<IDeviceGrain>(canonical).GetAsync();
            projectCompanyId ??= companyId;
            if (device.CompanyId != companyId)
            {
                // R-P2: a device in another company's project this company holds a right on; NotFound otherwise.
                if (device.ProjectId is null || device.CompanyId is null || !AllowsExternal(http))
                {
                    throw LicensingException.NotFound("The device");
                }

                projectCompanyId = await grains.GetGrain<IProjectGrain>(device.ProjectId).AuthorizeExternalAsync(companyId);
                if (projectCompanyId != device.CompanyId)
                {
                    throw LicensingException.NotFound("The device");
                }

                projectId ??= device.ProjectId;
            }
        }

        caller.Authorize(companyId, projectId, projectCompanyId, membership, device);
        return await next(invocation);
    }

    /// <summary>
    /// An API key acts for its own company only (another company's routes are 404, as for an
    /// outsider, without asking that company), with the rights it was given, never as an admin; its
    /// company checks it as it checks users (gone after a join, refusing while being joined).
    /// </summary>
    private static Task<Membership> AuthorizeApiKeyAsync(ICompanyGrain company, ClaimsPrincipal principal, string keyCompany, string companyId, string actor, string? right)
    {
        if (keyCompany != companyId)
        {
            throw LicensingException.NotFound("The company");
        }

        var rights = principal.FindAll(ApiKeys.RightClaim).Select(c => c.Value).ToImmutableSortedSet(StringComparer.Ordinal);
        return company.AuthorizeApiKeyAsync(actor, rights, right);
    }

    private static bool AllowsExternal(HttpContext http) =>
        http.GetEndpoint()?.Metadata.GetMetadata<ExternalProjectRightsMetadata>() is not null;
}

public static class CallerExtensions
{
    /// <summary>The canonical e-mail of the signed-in user.</summary>
    public static string Email(this ClaimsPrincipal user) =>
        user.FindFirstValue(ClaimTypes.Email) ?? throw new LicensingException(ErrorCodes.Unauthorized, "A user access token is required.");
}
