using System.Diagnostics;
using System.Security.Claims;
using System.Text.Json.Serialization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OrleansLicensing.Contracts;
using OrleansLicensing.Gateway.Apis;
using OrleansLicensing.Gateway.Infrastructure;

namespace OrleansLicensing.Gateway;

/// <summary>Configuration section <c>Gateway</c>.</summary>
public sealed class GatewaySettings
{
    public const string Section = "Gateway";

    /// <summary>Largest accepted request body; larger ones get 413 PayloadTooLarge.</summary>
    public long MaxRequestBodyBytes { get; set; } = InputLimits.DefaultMaxRequestBodyBytes;

    /// <summary>Deepest JSON nesting a request body may have (System.Text.Json's default is 64); deeper is 400.</summary>
    public int MaxJsonDepth { get; set; } = InputLimits.DefaultMaxJsonDepth;

    /// <summary>Requests per minute and client address on the anonymous routes.</summary>
    public int AnonymousPermitsPerMinute { get; set; } = 600;

    /// <summary>
    /// Longest time <c>GET /api/v1/vendor/audit</c> waits for the audit before it answers 202 with
    /// its progress; below the grain call and request timeouts (30 s).
    /// </summary>
    public int AuditWaitSeconds { get; set; } = 20;
}

/// <summary>The HTTP edge: JSON, errors, authentication, rate limits, OpenAPI and routes.</summary>
public static class GatewaySetup
{
    public const string AnonymousRateLimit = "anonymous";
    public const string DefaultUrl = "http://127.0.0.1:5080";

    public static WebApplicationBuilder AddLicensingGateway(this WebApplicationBuilder builder)
    {
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["Kestrel:Endpoints:Http:Url"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        var settings = builder.Configuration.GetSection(GatewaySettings.Section).Get<GatewaySettings>() ?? new GatewaySettings();
        builder.Services.AddSingleton(settings);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = settings.MaxRequestBodyBytes);
        builder.AddLicensingErrors();

        builder.Services.ConfigureHttpJsonOptions(json =>
        {
            // Strict input: missing or null required members, numbers as strings and other
            // loose forms are 400 ValidationFailed rather than silently defaulted.
            json.SerializerOptions.RespectNullableAnnotations = true;
            json.SerializerOptions.RespectRequiredConstructorParameters = true;
            json.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
            json.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
            json.SerializerOptions.MaxDepth = settings.MaxJsonDepth;
        });
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);

        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            var status = context.ProblemDetails.Status ?? context.HttpContext.Response.StatusCode;
            context.ProblemDetails.Extensions.TryAdd("code", Problems.CodeFor(status));
            context.ProblemDetails.Extensions["traceId"] = Activity.Current?.TraceId.ToString() ?? context.HttpContext.TraceIdentifier;
        });
        builder.Services.AddExceptionHandler<LicensingExceptionHandler>();

        builder.Services.AddOptions<CredentialSettings>().BindConfiguration(CredentialSettings.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton(Catalog.Default);
        builder.Services.AddSingleton<GatewaySecrets>();
        builder.Services.AddLicensingAuthentication();
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(BearerAuthenticationHandler.UserPolicy, policy => policy.RequireClaim(ClaimTypes.Email))
            .AddPolicy(BearerAuthenticationHandler.CompanyPolicy, policy => policy.RequireAssertion(context =>
                context.User.HasClaim(c => c.Type is ClaimTypes.Email or ApiKeys.KeyIdClaim)))
            .AddPolicy(BearerAuthenticationHandler.VendorPolicy, policy => policy.RequireRole(BearerAuthenticationHandler.VendorRole));

        var rateLimits = builder.Configuration.GetSection(RateLimitSettings.Section).Get<RateLimitSettings>() ?? new RateLimitSettings();
        builder.Services.AddSingleton(rateLimits);
        builder.Services.AddSingleton<RateLimits>();
        builder.Services.AddSingleton<DevicePollCalls>();
        builder.Services.TryAddSingleton<DevicePollAnswers>();
        builder.Services.AddRateLimiter(limiter => RateLimits.Configure(limiter, settings, rateLimits));

        builder.AddLicensingTelemetry();
        builder.Services.AddOpenApi(options => options.AddProblemCodes());
        builder.Services.AddLicensingOpenApiConventions();
        return builder;
    }

    public static WebApplication UseLicensingGateway(this WebApplication app)
    {
        var settings = app.Services.GetRequiredService<GatewaySettings>();

        // Create (or load) the node's secrets now, so a new node logs where its vendor key is at start.
        app.Services.GetRequiredService<GatewaySecrets>();
        app.Services.GetRequiredService<TokenSigningKeys>();
        app.UseExceptionHandler();

        // The device poll is the fleet's hot path (R-C3): it is served here, before routing and
        // the per-request machinery below, which it does not need (see DevicePollApi).
        app.UseDevicePoll();
        app.UseSecurityHeaders();
        app.UseRouting();
        app.UseLicensingTelemetry();
        app.UseStatusCodePages();
        app.Use((context, next) =>
        {
            // Kestrel enforces the limit while reading; this answers early when the length is declared.
            if (context.Request.ContentLength > settings.MaxRequestBodyBytes)
            {
                return Problems.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, ErrorCodes.PayloadTooLarge, $"The request body exceeds {settings.MaxRequestBodyBytes} bytes.").AsTask();
            }

            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            {
                limit.MaxRequestBodySize = settings.MaxRequestBodyBytes;
            }

            return next(context);
        });
        app.UseAuthentication();
        app.Use((context, next) =>
        {
            // The signed-in user travels with every grain call of the request, so the grains that
            // record history (R-Q2) know who acted without every method naming the user.
            if (context.User.FindFirst(ClaimTypes.Email)?.Value is { } email)
            {
                Orleans.Runtime.RequestContext.Set(HistoryContext.ActorKey, email);
            }
            else if (ApiKeys.ActorOf(context.User) is { } apiKey)
            {
                Orleans.Runtime.RequestContext.Set(HistoryContext.ActorKey, apiKey);
            }

            return next(context);
        });
        app.UseAuthorization();
        app.UseRateLimiter();

        app.MapOpenApi();
        app.MapLicensingApiReference();
        app.MapOperationsEndpoints();
        ApiGroups.Map(app)
            .MapAccountsApi()
            .MapCompaniesApi()
            .MapJoinsApi()
            .MapMembersApi()
            .MapActivationsApi()
            .MapDevicesApi()
            .MapDeviceAdminApi()
            .MapFreePoolApi()
            .MapLegacyImportApi()
            .MapDeviceOperationsApi()
            .MapLicenseFilesApi()
            .MapOwnKeysApi()
            .MapSsaApi()
            .MapCertificatesApi()
            .MapSearchApi()
            .MapHistoryApi()
            .MapVendorApi()
            .MapMailApi()
            .MapDevicePollApi()
            .MapCatalogApi()
            .MapApiKeysApi();
        return app;
    }
}
