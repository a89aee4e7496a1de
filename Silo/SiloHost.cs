using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using OrleansLicensing.Gateway.Infrastructure;

namespace OrleansLicensing.Silo;

/// <summary>The parts of the silo process that are not the silo itself: its HTTP surface.</summary>
public static class SiloHost
{
    /// <summary>When true (default) the process serves the gateway's HTTP API beside the silo.</summary>
    public const string CoHostedKey = "Gateway:CoHosted";

    /// <summary>Where a silo without the API serves health and metrics unless <c>urls</c> says otherwise.</summary>
    public const string DefaultOperationsUrl = "http://127.0.0.1:5081";

    /// <summary>A silo without the API: telemetry, <c>/healthz</c>, <c>/readyz</c> and <c>/metrics</c>.</summary>
    public static WebApplicationBuilder AddSiloOperations(this WebApplicationBuilder builder)
    {
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["Kestrel:Endpoints:Http:Url"]))
        {
            builder.WebHost.UseUrls(DefaultOperationsUrl);
        }

        builder.AddLicensingTelemetry();
        return builder;
    }

    /// <summary>The Orleans dashboard, when <c>Dashboard:Enabled</c> (default in Development).</summary>
    public static WebApplication MapSiloDashboard(this WebApplication app)
    {
        var dashboard = app.Configuration.GetSection("Dashboard");
        if (dashboard.GetValue("Enabled", app.Environment.IsDevelopment()))
        {
            var group = Orleans.Dashboard.ServiceCollectionExtensions.MapOrleansDashboard(app, dashboard["Path"] ?? "/dashboard");
            if (dashboard.GetValue<int?>("Port") is { } port)
            {
                group.RequireHost($"*:{port}");
            }
        }

        return app;
    }
}
