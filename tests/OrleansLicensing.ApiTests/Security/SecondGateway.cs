using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrleansLicensing.Gateway;
using OrleansLicensing.Gateway.Hosting;

namespace OrleansLicensing.ApiTests.Security;

/// <summary>
/// A gateway process of its own (the HTTP API as an Orleans client, no silo) in this test
/// process, connected to a <see cref="LicensingApp"/> node's silo gateway port: two gateways of
/// one cluster, as in production behind a load balancer.
/// </summary>
public sealed class SecondGateway : IAsyncDisposable
{
    private readonly WebApplication _app;

    private SecondGateway(WebApplication app)
    {
        _app = app;
        Client = app.GetTestClient();
    }

    public HttpClient Client { get; }

    public static async Task<SecondGateway> StartAsync(LicensingApp node, IReadOnlyDictionary<string, string?> settings)
    {
        var nodeConfiguration = node.Services.GetRequiredService<IConfiguration>();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Orleans:GatewayPorts:0"] = nodeConfiguration["Orleans:GatewayPort"],
            ["Licensing:VendorApiKey"] = nodeConfiguration["Licensing:VendorApiKey"],
            ["Logging:LogLevel:Default"] = "Warning",
        });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddLicensingClusterClient();
        builder.AddLicensingGateway();
        var app = builder.Build();
        app.UseLicensingGateway();
        await app.StartAsync(TestContext.Current.CancellationToken);
        return new SecondGateway(app);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
