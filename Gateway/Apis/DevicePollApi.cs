using Microsoft.AspNetCore.Http.Features;
using OrleansLicensing.Contracts;
using OrleansLicensing.Gateway.Infrastructure;

namespace OrleansLicensing.Gateway.Apis;

/// <summary>
/// The fleet's hot path (R-C3): one grain call answered from the device grain's memory, the
/// pre-built body written straight to the response, 304 when the device already has it.
/// </summary>
/// <remarks>
/// Polls are served by <see cref="UseDevicePoll"/> ahead of routing and the per-request
/// machinery the other routes need (authentication, rate limiting, request logging, status
/// pages): the device authenticates by its secret inside the grain call. The mapped endpoint
/// runs the same code; it documents the route in OpenAPI and serves polls when the middleware
/// is not in the pipeline. Refusals are written as problem+json directly rather than thrown: a
/// misconfigured fleet polling with wrong secrets must not cost an exception per request.
/// Failures of the grain call reach the exception handler, which runs before this middleware.
/// </remarks>
public static class DevicePollApi
{
    public const string Route = "/api/v1/device/license";
    public const string MacHeader = "X-Device-Mac";
    public const string SecretHeader = "X-Device-Secret";

    private static readonly KeyValuePair<string, object?> RouteTag = new("http.route", Route);

    /// <summary>
    /// The device's MAC (canonical) and secret from the headers of a device route other than the
    /// poll; 401 <c>Unauthorized</c> without them, 400 <c>InvalidMac</c> for a malformed MAC. The
    /// caller checks the secret.
    /// </summary>
    public static (string Mac, string Secret) DeviceHeaders(HttpRequest request)
    {
        string? macHeader = request.Headers[MacHeader];
        string? secret = request.Headers[SecretHeader];
        if (string.IsNullOrEmpty(macHeader) || string.IsNullOrEmpty(secret))
        {
            throw new LicensingException(ErrorCodes.Unauthorized, $"Send the device's {MacHeader} and {SecretHeader} headers.");
        }

        return (Mac.Parse(macHeader).ToString(), secret);
    }

    public static bool IsPoll(HttpRequest request) =>
        HttpMethods.IsGet(request.Method) && request.Path.Equals(Route, StringComparison.OrdinalIgnoreCase);

    public static ApiGroups MapDevicePollApi(this ApiGroups groups)
    {
        groups.Device.MapGet("/license", PollAsync)
            .WithTags("Device").WithName("PollDeviceLicense")
            .WithSummary("The device's signed license document (304 when unchanged)")
            .RequireDeviceCredentials()
            .Produces<DeviceLicenseResponse>(StatusCodes.Status200OK)
            .Produces(StatusCodes.Status304NotModified)
            .ProducesErrors(ErrorCodes.InvalidMac, ErrorCodes.Unauthorized, ErrorCodes.RateLimited);
        return groups;
    }

    /// <summary>Serves every poll before routing; other requests go on down the pipeline.</summary>
    public static IApplicationBuilder UseDevicePoll(this IApplicationBuilder app)
    {
        var grains = app.ApplicationServices.GetRequiredService<DevicePollCalls>();
        var metrics = app.ApplicationServices.GetRequiredService<GatewayMetrics>();
        var limits = app.ApplicationServices.GetRequiredService<RateLimits>();
        return app.Use(next => context =>
        {
            if (!IsPoll(context.Request))
            {
                return next(context);
            }

            // Without an endpoint the hosting metrics would not know the route; dashboards
            // and the poll latency alert select on it.
            context.Features.Get<IHttpMetricsTagsFeature>()?.Tags.Add(RouteTag);
            return PollAsync(context, grains, metrics, limits);
        });
    }

    public static async Task PollAsync(HttpContext context, DevicePollCalls grains, GatewayMetrics metrics, RateLimits limits)
    {
        var headers = context.Request.Headers;
        string? macHeader = headers[MacHeader];
        string? secret = headers[SecretHeader];
        if (string.IsNullOrEmpty(macHeader) || string.IsNullOrEmpty(secret))
        {
            metrics.Poll(StatusCodes.Status401Unauthorized);
            await Problems.WriteAsync(context, StatusCodes.Status401Unauthorized, ErrorCodes.Unauthorized, $"Send the device's {MacHeader} and {SecretHeader} headers.");
            return;
        }

        if (!Mac.TryParse(macHeader, out var mac))
        {
            metrics.Poll(StatusCodes.Status400BadRequest);
            await Problems.WriteAsync(context, StatusCodes.Status400BadRequest, ErrorCodes.InvalidMac, $"'{MacHeader}' is not a valid MAC address.");
            return;
        }

        var canonical = mac.ToString();
        if (!limits.TryPoll(canonical))
        {
            metrics.Poll(StatusCodes.Status429TooManyRequests);
            await limits.RejectPollAsync(context);
            return;
        }

        var answer = await grains.PollAsync(canonical, secret, headers.IfNoneMatch);
        var response = context.Response;
        switch (answer.Status)
        {
            case DevicePollStatus.NotModified:
                metrics.Poll(StatusCodes.Status304NotModified);
                response.StatusCode = StatusCodes.Status304NotModified;
                response.Headers.ETag = answer.ETag;
                return;
            case DevicePollStatus.Ok:
                metrics.Poll(StatusCodes.Status200OK);
                var body = answer.Body!;
                response.StatusCode = StatusCodes.Status200OK;
                response.ContentType = "application/json";
                response.ContentLength = body.Length;
                response.Headers.ETag = answer.ETag;
                response.Headers.CacheControl = "no-cache";
                await response.Body.WriteAsync(body, context.RequestAborted);
                return;
            default:
                metrics.Poll(StatusCodes.Status401Unauthorized);
                await Problems.WriteAsync(context, StatusCodes.Status401Unauthorized, ErrorCodes.Unauthorized, "The device MAC or secret is wrong.");
                return;
        }
    }
}
