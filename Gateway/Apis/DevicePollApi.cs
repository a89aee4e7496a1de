using OrleansLicensing.Contracts;
using OrleansLicensing.Gateway.Infrastructure;
using OrleansLicensing.Grains.Domain;

namespace OrleansLicensing.Gateway.Apis;

/// <summary>
/// The fleet's hot path (R-C3): one grain call answered from the device grain's memory, the
/// pre-built body copied out, 304 when the device already has it.
/// </summary>
public static class DevicePollApi
{
    public const string Route = "/api/v1/device/license";
    public const string MacHeader = "X-Device-Mac";
    public const string SecretHeader = "X-Device-Secret";

    public static bool IsPoll(HttpRequest request) =>
        HttpMethods.IsGet(request.Method) && request.Path.Equals(Route, StringComparison.OrdinalIgnoreCase);

    public static IEndpointRouteBuilder MapDevicePollApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet(Route, PollAsync)
            .WithTags("Device").WithName("PollDeviceLicense")
            .Produces<DeviceLicenseResponse>(StatusCodes.Status200OK)
            .Produces(StatusCodes.Status304NotModified)
            .WithProblems(400, 401);
        return routes;
    }

    public static async Task<IResult> PollAsync(HttpContext context, IGrainFactory grains, GatewayMetrics metrics)
    {
        var headers = context.Request.Headers;
        string? macHeader = headers[MacHeader];
        string? secret = headers[SecretHeader];
        if (string.IsNullOrEmpty(macHeader) || string.IsNullOrEmpty(secret))
        {
            metrics.Poll(StatusCodes.Status401Unauthorized);
            throw new LicensingException(ErrorCodes.Unauthorized, $"Send the device's {MacHeader} and {SecretHeader} headers.");
        }

        if (!Mac.TryParse(macHeader, out var mac))
        {
            metrics.Poll(StatusCodes.Status400BadRequest);
            throw new LicensingException(ErrorCodes.InvalidMac, $"'{MacHeader}' is not a valid MAC address.");
        }

        var answer = await grains.GetGrain<IDeviceGrain>(mac.ToString()).PollAsync(secret, headers.IfNoneMatch);
        switch (answer.Status)
        {
            case DevicePollStatus.NotModified:
                metrics.Poll(StatusCodes.Status304NotModified);
                context.Response.Headers.ETag = answer.ETag;
                return TypedResults.StatusCode(StatusCodes.Status304NotModified);
            case DevicePollStatus.Ok:
                metrics.Poll(StatusCodes.Status200OK);
                context.Response.Headers.ETag = answer.ETag;
                context.Response.Headers.CacheControl = "no-cache";
                return TypedResults.Bytes(answer.Body!, "application/json");
            default:
                metrics.Poll(StatusCodes.Status401Unauthorized);
                throw new LicensingException(ErrorCodes.Unauthorized, "The device MAC or secret is wrong.");
        }
    }
}
