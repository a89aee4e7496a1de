using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using OrleansLicensing.Gateway.Apis;
using Scalar.AspNetCore;

namespace OrleansLicensing.Gateway.Infrastructure;

/// <summary>
/// Marks an endpoint that devices call with their own credentials (the <c>X-Device-Mac</c> and
/// <c>X-Device-Secret</c> headers) instead of a bearer token. Authentication happens inside the
/// grain call; this metadata only tells the OpenAPI document.
/// </summary>
public sealed class DeviceCredentialsMetadata
{
    public static DeviceCredentialsMetadata Instance { get; } = new();

    private DeviceCredentialsMetadata()
    {
    }
}

/// <summary>Configuration section <c>Gateway:ApiReference</c>: the interactive API reference (Scalar).</summary>
public sealed class ApiReferenceSettings
{
    public const string Section = "Gateway:ApiReference";

    /// <summary>Serve the reference page; on by default (it only reads the public OpenAPI document).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Where the page is served.</summary>
    public string Path { get; set; } = "/scalar";
}

/// <summary>
/// Conventions of the OpenAPI document (<c>/openapi/v1.json</c>) for client authors: security
/// schemes and per-operation security derived from endpoint metadata, the device poll's
/// headers, conditional GETs, document info and servers. Routes declare what they are (policy,
/// <see cref="RequireDeviceCredentials{TBuilder}"/>, a 304 answer); these transformers turn that
/// into the document, so no route lists its security by hand.
/// </summary>
public static class OpenApiConventions
{
    /// <summary>HTTP bearer: a user's access token from <c>POST /api/v1/auth/token</c>.</summary>
    public const string UserToken = "userToken";

    /// <summary>HTTP bearer: the vendor API key (<c>Licensing:VendorApiKey</c>).</summary>
    public const string VendorKey = "vendorKey";

    /// <summary>API key in header <c>X-Device-Mac</c>; required together with <see cref="DeviceSecret"/>.</summary>
    public const string DeviceMac = "deviceMac";

    /// <summary>API key in header <c>X-Device-Secret</c>; required together with <see cref="DeviceMac"/>.</summary>
    public const string DeviceSecret = "deviceSecret";

    private const string IfNoneMatch = "If-None-Match";
    private const string ETag = "ETag";

    private static readonly Dictionary<string, string> TagDescriptions = new(StringComparer.Ordinal)
    {
        ["Operations"] = "Liveness for load balancers and orchestrators.",
        ["ApiKeys"] = "A company's API keys for machine clients: sent as bearer tokens, scoped to the company and a set of rights, shown once.",
        ["Accounts"] = "Register a user account, sign in for an access token, read the signed-in user.",
        ["Companies"] = "Companies and their projects. The user who creates a company is its first admin.",
        ["Joins"] = "Joining a company into another (admins, with an admin login of the other company) and a project into another; both run as durable processes with a status URL.",
        ["Balances"] = "Redeem activation keys into a project and read the units it holds.",
        ["Devices"] = "Devices in a project and the licenses bound to them.",
        ["License files"] = "Signed license files per device and version (encrypted for V8+ devices), invalidation documents signed with the device certificate, confirmation files and the device's certificate keys (docs/license-files.md).",
        ["Free licenses"] = "The project's pool of licenses freed from devices, and conversions out of it.",
        ["SSA"] = "A project's software service agreement: SSC quotes per lot, confirmation paid from the SSC balance or on credit, and the company's credit debt.",
        ["Own keys"] = "Keys a company creates from its own balance to hand on.",
        ["Certificates"] = "Signed license certificates of activation keys: JSON with the signed XML document, or printable text.",
        ["Vendor"] = "The vendor's API (bearer: the vendor API key): minting activation keys, registering shipped hardware, the conservation audit.",
        ["Device"] = "Called by devices with their MAC and secret: the device's current licenses, with ETag and 304; its own invalidation.",
        ["Search"] = "The company's search field: devices, projects, own activation keys and license types.",
        ["History"] = "Every state change of the company, newest first, per company, user or device, per project, for a period.",
        ["Legacy import"] = "The old license manager's export: the vendor uploads it (in parts, loaded as a durable process), a company admin claims an old account with its old login and imports its group's balance and devices into a project (minted with source Import).",
        ["Catalog"] = "The product catalog and the stateless SSC calculator; anonymous and rate limited.",
    };

    private const string Overview = """
        License management for a hardware vendor and its distributors: activation keys, project
        balances, devices and their signed license documents.

        **Authentication.** Three kinds of caller:
        - users send `Authorization: Bearer <accessToken>` with the token from `POST /api/v1/auth/token`
          (scheme `userToken`; company API keys are sent the same way);
        - the vendor sends `Authorization: Bearer <vendor API key>` (scheme `vendorKey`);
        - devices send `X-Device-Mac` and `X-Device-Secret` (schemes `deviceMac` + `deviceSecret`, always together)
          to `GET /api/v1/device/license`.

        Registering, signing in, the catalog and the SSC calculator are anonymous (`security: []`) and rate limited.

        **Errors.** Every 4xx and 5xx answer is `application/problem+json` with a stable `code`
        (e.g. `KeyAlreadyAssigned`) and a `traceId`.

        **Retries.** Unit-moving requests accept an `Idempotency-Key` header: a retry with the same key
        returns the first result and does not apply twice. A key is remembered for 7 days (the
        operator's `Idempotency:RetentionDays`); after that it counts as a new key.

        **Device polling.** Send the last `ETag` in `If-None-Match`; an unchanged answer is `304 Not Modified`.
        """;

    /// <summary>Adds the document and operation transformers of these conventions.</summary>
    public static OpenApiOptions AddLicensingConventions(this OpenApiOptions options)
    {
        options.AddDocumentTransformer(static (document, _, _) =>
        {
            DescribeDocument(document);
            return Task.CompletedTask;
        });
        options.AddOperationTransformer(static (operation, context, _) =>
        {
            var metadata = context.Description.ActionDescriptor.EndpointMetadata;
            AddPathParameters(operation, context.Description.RelativePath);
            ApplySecurity(operation, context.Document, metadata);
            if (metadata.OfType<DeviceCredentialsMetadata>().Any())
            {
                AddDeviceHeaders(operation);
            }

            if (operation.Responses?.ContainsKey("304") == true)
            {
                DescribeConditionalGet(operation);
            }

            if (metadata.OfType<IdempotentMetadata>().Any())
            {
                AddHeaderParameter(operation, IdempotencyKey.Header, required: false,
                    $"Makes the request safe to retry: a retry with the same key (1 to {IdempotencyKey.MaxLength} printable ASCII characters) answers the first result and applies nothing twice; the same key with a different request is refused with 409 `IdempotencyKeyReused`.");
            }

            if (metadata.OfType<ProblemCodesMetadata>().LastOrDefault() is { } problems)
            {
                DescribeProblemCodes(operation, problems);
            }

            return Task.CompletedTask;
        });
        return options;
    }

    /// <summary>Applies <see cref="AddLicensingConventions"/> to every OpenAPI document of the app.</summary>
    public static IServiceCollection AddLicensingOpenApiConventions(this IServiceCollection services) =>
        services.ConfigureAll<OpenApiOptions>(options => options.AddLicensingConventions());

    /// <summary>
    /// The endpoint is called with device credentials (<c>X-Device-Mac</c> + <c>X-Device-Secret</c>):
    /// documented as the <c>deviceMac</c> + <c>deviceSecret</c> security requirement and as
    /// required header parameters.
    /// </summary>
    public static TBuilder RequireDeviceCredentials<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(DeviceCredentialsMetadata.Instance);

    /// <summary>
    /// Serves the interactive API reference (Scalar) on <see cref="ApiReferenceSettings.Path"/>
    /// for the OpenAPI document, unless <c>Gateway:ApiReference:Enabled</c> is false.
    /// </summary>
    public static WebApplication MapLicensingApiReference(this WebApplication app)
    {
        var settings = app.Configuration.GetSection(ApiReferenceSettings.Section).Get<ApiReferenceSettings>() ?? new ApiReferenceSettings();
        if (settings.Enabled)
        {
            // Everything the page needs comes from the node: no CDN fonts, telemetry or AI agent.
            app.MapScalarApiReference(settings.Path, options => options
                .WithTitle("OrleansLicensing API")
                .AddPreferredSecuritySchemes(UserToken)
                .DisableDefaultFonts()
                .DisableTelemetry()
                .DisableAgent());
        }

        return app;
    }

    private static void DescribeDocument(OpenApiDocument document)
    {
        document.Info ??= new OpenApiInfo();
        document.Info.Title = "OrleansLicensing API";
        document.Info.Version = "v1";
        document.Info.Description = Overview;
        document.Info.License ??= new OpenApiLicense { Name = "Proprietary", Identifier = "LicenseRef-Proprietary" };

        // The servers are taken from the request; a base URL ending in '/' makes every
        // "{server}{path}" join carry a double slash.
        foreach (var server in document.Servers ?? [])
        {
            if (server.Url is { Length: > 1 } url && url.EndsWith('/'))
            {
                server.Url = url.TrimEnd('/');
            }
        }

        EnsureSecuritySchemes(document);
        foreach (var tag in document.Tags ?? new HashSet<OpenApiTag>())
        {
            if (tag.Name is { } name && tag.Description is null && TagDescriptions.TryGetValue(name, out var description))
            {
                tag.Description = description;
            }
        }
    }

    private static void EnsureSecuritySchemes(OpenApiDocument document)
    {
        if (document.Components?.SecuritySchemes?.ContainsKey(UserToken) == true)
        {
            return;
        }

        document.AddComponent<IOpenApiSecurityScheme>(UserToken, new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "A user's access token: `accessToken` of `POST /api/v1/auth/token` (or a company API key).",
        });
        document.AddComponent<IOpenApiSecurityScheme>(VendorKey, new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "The vendor API key configured as `Licensing:VendorApiKey`.",
        });
        document.AddComponent<IOpenApiSecurityScheme>(DeviceMac, new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = DevicePollApi.MacHeader,
            Description = $"The device's MAC address, in any accepted form; always sent with `{DevicePollApi.SecretHeader}`.",
        });
        document.AddComponent<IOpenApiSecurityScheme>(DeviceSecret, new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = DevicePollApi.SecretHeader,
            Description = $"The per-device secret returned when the vendor registered the hardware; always sent with `{DevicePollApi.MacHeader}`.",
        });
    }

    /// <summary>
    /// Security from what the endpoint requires: device credentials, the <c>user</c> or
    /// <c>vendor</c> policy (any other authorization: either bearer), or nothing (<c>security: []</c>,
    /// so anonymous is stated rather than left unknown).
    /// </summary>
    private static void ApplySecurity(OpenApiOperation operation, OpenApiDocument? document, IList<object> metadata)
    {
        // A route that states its own requirements (an endpoint transformer) keeps them.
        if (document is null || operation.Security is { Count: > 0 })
        {
            return;
        }

        EnsureSecuritySchemes(document);
        operation.Security = [];
        if (metadata.OfType<DeviceCredentialsMetadata>().Any())
        {
            operation.Security.Add(Requirement(document, DeviceMac, DeviceSecret));
            return;
        }

        var authorize = metadata.OfType<IAuthorizeData>().ToList();
        var policies = metadata.OfType<AuthorizationPolicy>().ToList();
        if (metadata.OfType<IAllowAnonymous>().Any() || (authorize.Count == 0 && policies.Count == 0))
        {
            return;
        }

        var schemes = authorize.Select(a => a.Policy switch
        {
            BearerAuthenticationHandler.UserPolicy => UserToken,
            BearerAuthenticationHandler.CompanyPolicy => UserToken,
            BearerAuthenticationHandler.VendorPolicy => VendorKey,
            _ => null,
        }).Distinct().ToList();
        if (policies.Count == 0 && schemes is [{ } scheme])
        {
            operation.Security.Add(Requirement(document, scheme));
            return;
        }

        // A default or custom policy: the bearer handler accepts either kind of token.
        operation.Security.Add(Requirement(document, UserToken));
        operation.Security.Add(Requirement(document, VendorKey));
    }

    private static OpenApiSecurityRequirement Requirement(OpenApiDocument document, params string[] schemes)
    {
        var requirement = new OpenApiSecurityRequirement();
        foreach (var scheme in schemes)
        {
            requirement[new OpenApiSecuritySchemeReference(scheme, document)] = [];
        }

        return requirement;
    }

    /// <summary>The device credentials as header parameters too, so generated clients type them.</summary>
    private static void AddDeviceHeaders(OpenApiOperation operation)
    {
        AddHeaderParameter(operation, DevicePollApi.MacHeader, required: true,
            "The device's MAC address (`00-90-33-0a-1b-2c`, `0090330a1b2c`, … or the vendor suffix `0a1b2c`).");
        AddHeaderParameter(operation, DevicePollApi.SecretHeader, required: true,
            "The device secret from the vendor's hardware registration.");
    }

    /// <summary>
    /// An operation that can answer 304 is a conditional GET: it takes <c>If-None-Match</c> and
    /// sends an <c>ETag</c> with its 2xx and 304 answers.
    /// </summary>
    private static void DescribeConditionalGet(OpenApiOperation operation)
    {
        AddHeaderParameter(operation, IfNoneMatch, required: false,
            "The `ETag` of the last answer this client holds; when nothing changed the answer is 304 without a body.");
        foreach (var (status, response) in operation.Responses!)
        {
            if ((status.StartsWith('2') || status == "304") && response is OpenApiResponse concrete)
            {
                concrete.Headers ??= new Dictionary<string, IOpenApiHeader>();
                concrete.Headers[ETag] = new OpenApiHeader
                {
                    Description = $"Version of this answer; send it back in `{IfNoneMatch}`.",
                    Required = true,
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                };
                if (status == "304")
                {
                    concrete.Description = $"Not Modified: the answer still has the `ETag` sent in `{IfNoneMatch}`; no body.";
                }
            }
        }
    }

    private static readonly Dictionary<string, string> PathParameterDescriptions = new(StringComparer.Ordinal)
    {
        ["cid"] = "Company id (16 lower-case characters).",
        ["pid"] = "Project id of the company (16 lower-case characters).",
        ["mac"] = "Device MAC in any accepted form: `00-90-33-0a-1b-2c`, `00:90:33:0a:1b:2c`, `0090330a1b2c` or `0a1b2c`.",
        ["key"] = "Activation key code (groups of five characters; dashes optional).",
    };

    /// <summary>
    /// Route parameters the handler reads through the company group (not as handler parameters)
    /// are still part of the path: every <c>{name}</c> becomes a required path parameter.
    /// </summary>
    private static void AddPathParameters(OpenApiOperation operation, string? relativePath)
    {
        if (relativePath is null)
        {
            return;
        }

        foreach (var segment in relativePath.Split('/'))
        {
            if (segment is not ['{', .., '}'])
            {
                continue;
            }

            var name = segment[1..^1].Split(':')[0];
            operation.Parameters ??= [];
            if (operation.Parameters.Any(p => p.In == ParameterLocation.Path && p.Name == name))
            {
                continue;
            }

            operation.Parameters.Add(new OpenApiParameter
            {
                Name = name,
                In = ParameterLocation.Path,
                Required = true,
                Description = PathParameterDescriptions.GetValueOrDefault(name, name),
                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            });
        }
    }

    /// <summary>Names, per error status, the <c>code</c> values the operation can answer with.</summary>
    private static void DescribeProblemCodes(OpenApiOperation operation, ProblemCodesMetadata problems)
    {
        if (operation.Responses is null)
        {
            return;
        }

        foreach (var (status, codes) in problems.CodesByStatus)
        {
            if (operation.Responses.TryGetValue(status.ToString(System.Globalization.CultureInfo.InvariantCulture), out var response) && response is OpenApiResponse concrete)
            {
                concrete.Description = $"Problem details; `code` is one of: {string.Join(", ", codes)}.";
            }
        }
    }

    private static void AddHeaderParameter(OpenApiOperation operation, string name, bool required, string description)
    {
        operation.Parameters ??= [];
        if (operation.Parameters.Any(p => p.In == ParameterLocation.Header && string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)))
        {
            return;
        }

        operation.Parameters.Add(new OpenApiParameter
        {
            Name = name,
            In = ParameterLocation.Header,
            Required = required,
            Description = description,
            Schema = new OpenApiSchema { Type = JsonSchemaType.String },
        });
    }
}
