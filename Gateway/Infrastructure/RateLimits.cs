using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using OrleansLicensing.Contracts;

namespace OrleansLicensing.Gateway.Infrastructure;

/// <summary>Configuration section <c>Gateway:RateLimits</c>: permits per minute of each route class.</summary>
public sealed class RateLimitSettings
{
    public const string Section = "Gateway:RateLimits";

    /// <summary>Sign-in and refresh requests per client address (on top of the per-account back-off).</summary>
    public int TokenPermitsPerMinute { get; set; } = 30;

    /// <summary>Changing requests (POST, PUT, PATCH, DELETE) per principal (user, API key, vendor).</summary>
    public int MutationPermitsPerMinute { get; set; } = 600;

    /// <summary>Searches and history reads per principal.</summary>
    public int SearchPermitsPerMinute { get; set; } = 120;

    /// <summary>Polls per device (MAC); a device polls every few minutes, so this only stops runaway or hostile polling.</summary>
    public int DevicePollsPerMinute { get; set; } = 20;
}

/// <summary>
/// The gateway's rate limits (ASP.NET Core rate limiting): one global limiter partitioned by
/// route class and principal (token endpoint per address, mutations and searches per principal),
/// the anonymous policy per address, and a per-device limit per minute window for the poll (<see cref="Apis.DevicePollLimiter"/>), which is served
/// ahead of routing (<see cref="Apis.DevicePollApi"/>) and checks it with one dictionary lookup.
/// Refusals are 429 <c>RateLimited</c> problem+json with <c>Retry-After</c> and <c>RateLimit-*</c> headers.
/// </summary>
public sealed class RateLimits : IDisposable
{
    private const string ClassKey = "ratelimit.class";

    private readonly Apis.DevicePollLimiter _polls;

    public RateLimits(RateLimitSettings settings, TimeProvider time)
    {
        Settings = settings;
        _polls = new Apis.DevicePollLimiter(settings.DevicePollsPerMinute, time);
    }

    public RateLimitSettings Settings { get; }

    /// <summary>Takes one poll permit of the device; <c>false</c> when it polled too often (the caller answers 429).</summary>
    public bool TryPoll(string mac) => _polls.TryAcquire(mac);

    /// <summary>Writes the poll's 429 (no exception: a runaway fleet must not cost one per request).</summary>
    public ValueTask RejectPollAsync(HttpContext context)
    {
        SetHeaders(context, "device-poll", Settings.DevicePollsPerMinute, TimeSpan.FromSeconds(Math.Ceiling(60.0 / Math.Max(1, Settings.DevicePollsPerMinute))));
        return Problems.WriteAsync(context, StatusCodes.Status429TooManyRequests, ErrorCodes.RateLimited, "The device polls too often; retry later.");
    }

    public static void Configure(RateLimiterOptions limiter, GatewaySettings gateway, RateLimitSettings settings)
    {
        limiter.AddPolicy(GatewaySetup.AnonymousRateLimit, context =>
        {
            context.Items[ClassKey] = ("anonymous", gateway.AnonymousPermitsPerMinute);
            return RateLimitPartition.GetFixedWindowLimiter(Address(context), _ => PerMinute(gateway.AnonymousPermitsPerMinute));
        });
        limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
        {
            if (Classify(context, settings) is not var (name, permits, key))
            {
                return RateLimitPartition.GetNoLimiter(string.Empty);
            }

            context.Items[ClassKey] = (name, permits);
            return RateLimitPartition.GetFixedWindowLimiter(name + "|" + key, _ => PerMinute(permits));
        });
        limiter.OnRejected = async (rejected, _) =>
        {
            var context = rejected.HttpContext;
            var (name, permits) = context.Items[ClassKey] is (string n, int p) ? (n, p) : ("request", 0);
            var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
            SetHeaders(context, name, permits, retryAfter);
            await Problems.WriteAsync(context, StatusCodes.Status429TooManyRequests, ErrorCodes.RateLimited, "Too many requests; retry later.");
        };
    }

    /// <summary>The route class of a request and whom it is counted for; <c>null</c>: not limited here.</summary>
    private static (string Name, int Permits, string Key)? Classify(HttpContext context, RateLimitSettings settings)
    {
        var path = context.Request.Path.Value ?? string.Empty;
        if (!path.StartsWith(Apis.ApiGroups.Prefix + "/", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        if (path.StartsWith(Apis.ApiGroups.Prefix + "/auth/", StringComparison.OrdinalIgnoreCase))
        {
            return ("token", settings.TokenPermitsPerMinute, Address(context));
        }

        if (context.User.Identity?.IsAuthenticated != true)
        {
            // Anonymous routes have their own per-address policy; refused credentials never get this far.
            return null;
        }

        var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? path;
        if (HttpMethods.IsGet(context.Request.Method) && (route.EndsWith("/search", StringComparison.Ordinal) || route.EndsWith("/history", StringComparison.Ordinal)))
        {
            return ("search", settings.SearchPermitsPerMinute, Principal(context));
        }

        var method = context.Request.Method;
        if (HttpMethods.IsPost(method) || HttpMethods.IsPut(method) || HttpMethods.IsPatch(method) || HttpMethods.IsDelete(method))
        {
            return ("mutation", settings.MutationPermitsPerMinute, Principal(context));
        }

        return null;
    }

    private static string Principal(HttpContext context) =>
        context.User.FindFirstValue(ClaimTypes.Email) is { } email ? "user:" + email
        : ApiKeys.ActorOf(context.User) is { } key ? key
        : context.User.IsInRole(BearerAuthenticationHandler.VendorRole) ? "vendor"
        : "address:" + Address(context);

    private static string Address(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    private static FixedWindowRateLimiterOptions PerMinute(int permits) =>
        new() { PermitLimit = Math.Max(1, permits), Window = TimeSpan.FromMinutes(1), QueueLimit = 0, AutoReplenishment = true };

    private static void SetHeaders(HttpContext context, string name, int permits, TimeSpan retryAfter)
    {
        var seconds = Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        var headers = context.Response.Headers;
        headers.RetryAfter = seconds;
        headers["RateLimit-Policy"] = $"\"{name}\";q={permits};w=60";
        headers["RateLimit"] = $"\"{name}\";r=0;t={seconds}";
    }

    public void Dispose() => _polls.Dispose();
}
