using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Orleans.Diagnostics;
using OrleansLicensing.Contracts;

namespace OrleansLicensing.Gateway.Infrastructure;

/// <summary>Gateway-side licensing instruments: device polls by outcome.</summary>
public sealed class GatewayMetrics
{
    private readonly Counter<long> _polls;

    public GatewayMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(TelemetryNames.Meter);
        _polls = meter.CreateCounter<long>("licensing.device.polls", description: "Device license polls by outcome (200, 304, 400, 401)");
    }

    // Boxed once: the poll counter is bumped on every request of the hot path.
    private static readonly object Ok = StatusCodes.Status200OK, NotModified = StatusCodes.Status304NotModified;

    public void Poll(int status) => _polls.Add(1, new KeyValuePair<string, object?>("outcome", status switch
    {
        StatusCodes.Status200OK => Ok,
        StatusCodes.Status304NotModified => NotModified,
        _ => status,
    }));
}

/// <summary>
/// OpenTelemetry for the node: one trace from the HTTP request through grain calls and
/// transactions to storage, metrics on <c>/metrics</c> (Prometheus) and OTLP when the standard
/// <c>OTEL_*</c> variables name an endpoint, structured logs carrying the trace id.
/// </summary>
public static class Telemetry
{
    public const string ServiceName = "orleans-licensing";

    public static readonly string[] Meters =
    [
        "Microsoft.Orleans",
        TelemetryNames.Meter,
        TelemetryNames.StorageMeter,
        "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Server.Kestrel",
        "Microsoft.AspNetCore.RateLimiting",
    ];

    public static readonly string[] ActivitySources =
    [
        Orleans.Diagnostics.ActivitySources.RuntimeActivitySourceName,
        Orleans.Diagnostics.ActivitySources.ApplicationGrainActivitySourceName,
        Orleans.Diagnostics.ActivitySources.StorageActivitySourceName,
        TelemetryNames.StorageActivitySource,
    ];

    public static WebApplicationBuilder AddLicensingTelemetry(this WebApplicationBuilder builder)
    {
        builder.Logging.Configure(options => options.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
        if (!builder.Environment.IsDevelopment())
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddJsonConsole(options =>
            {
                options.IncludeScopes = true;
                options.UseUtcTimestamp = true;
                options.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        }

        var otlp = !string.IsNullOrEmpty(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        builder.Services.AddSingleton<GatewayMetrics>();

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(builder.Configuration["OTEL_SERVICE_NAME"] ?? ServiceName));

        // Spans are recorded only when something takes them: an OTLP endpoint, or
        // Telemetry:Tracing = true (a test's in-memory exporter, a debugging session). Recording
        // spans nobody exports cost CPU on every license operation — every grain call,
        // transaction message and storage write of it opens one (decision D100). Responses carry
        // X-Trace-Id and logs carry the trace id either way: ASP.NET Core starts the request's
        // activity for logging's sake.
        if (builder.Configuration.GetValue("Telemetry:Tracing", otlp))
        {
            telemetry.WithTracing(tracing =>
            {
                // Device polls are the fleet's heartbeat: millions of identical answers. They are
                // not traced unless asked for (Telemetry:TraceDevicePolls), which keeps the hot
                // path free of span bookkeeping for them and their grain calls.
                var tracePolls = builder.Configuration.GetValue(Apis.DevicePollCalls.TraceSetting, false);
                tracing.AddAspNetCoreInstrumentation(options => options.Filter = context =>
                        !IsOperationsPath(context.Request.Path) && (tracePolls || !context.Request.Path.StartsWithSegments(Apis.DevicePollApi.Route)))
                    .AddSource(ActivitySources);
                if (otlp)
                {
                    tracing.AddOtlpExporter();
                }
            });
        }

        telemetry.WithMetrics(metrics =>
        {
            metrics.AddAspNetCoreInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(Meters)
                .AddPrometheusExporter();
            if (otlp)
            {
                metrics.AddOtlpExporter();
            }
        });
        return builder;
    }

    public static IApplicationBuilder UseLicensingTelemetry(this IApplicationBuilder app)
    {
        // Every response names its trace, so a caller can quote it to the operator.
        app.Use((context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                if (Activity.Current is { } activity)
                {
                    context.Response.Headers["X-Trace-Id"] = activity.TraceId.ToString();
                }

                return Task.CompletedTask;
            });
            return next(context);
        });
        app.UseMiddleware<RequestLogging>();
        return app;
    }

    public static WebApplication MapOperationsEndpoints(this WebApplication app)
    {
        app.MapGet("/healthz", () => TypedResults.Ok(new Apis.HealthResponse("alive"))).WithTags("Operations").WithName("Healthz").WithSummary("Liveness: the process answers");
        app.MapHealthChecks("/readyz", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains("ready"),
            ResponseWriter = WriteHealthJson,
        }).WithTags("Operations");
        app.MapPrometheusScrapingEndpoint("/metrics");
        return app;
    }

    private static bool IsOperationsPath(PathString path) =>
        path.StartsWithSegments("/metrics") || path.StartsWithSegments("/healthz") || path.StartsWithSegments("/readyz");

    private static Task WriteHealthJson(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return JsonSerializer.SerializeAsync(context.Response.Body, new
        {
            status = report.Status.ToString(),
            durationMs = report.TotalDuration.TotalMilliseconds,
            checks = report.Entries.ToDictionary(e => e.Key, e => new
            {
                status = e.Value.Status.ToString(),
                description = e.Value.Description,
                data = e.Value.Data,
            }),
        }, cancellationToken: context.RequestAborted);
    }
}

/// <summary>
/// One log line per request with the route template (never the raw path, which carries MACs
/// and ids) and no headers or bodies (which carry secrets). Device polls log at Debug.
/// </summary>
public sealed class RequestLogging(RequestDelegate next, ILogger<RequestLogging> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await next(context);
        }
        finally
        {
            var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "(unmatched)";
            var level = route == "/api/v1/device/license" || route is "/metrics" or "/healthz" or "/readyz" ? LogLevel.Debug : LogLevel.Information;
            if (logger.IsEnabled(level))
            {
                logger.Log(level, "HTTP {Method} {Route} responded {StatusCode} in {ElapsedMs:F1} ms",
                    context.Request.Method, route, context.Response.StatusCode, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }
    }
}
