using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace OrleansLicensing.ApiTests;

/// <summary>
/// The single-node process (silo + gateway) in-process, on its own silo ports so several can
/// run side by side. <see cref="StorageProvider"/> "Sqlite" with a data directory is the real
/// durable node; "Memory" is the fast one most tests share.
/// </summary>
public sealed class LicensingApp(
    string storageProvider,
    string? dataDirectory = null,
    Action<IServiceCollection>? testServices = null,
    IReadOnlyDictionary<string, string>? settings = null) : WebApplicationFactory<Program>
{
    public const string VendorKey = "test-vendor-key-0123456789";

    public string StorageProvider { get; } = storageProvider;

    public string? DataDirectory { get; } = dataDirectory;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseSetting("Storage:Provider", StorageProvider);
        if (DataDirectory is not null)
        {
            builder.UseSetting("Storage:DataDirectory", DataDirectory);
        }

        builder.UseSetting("Orleans:SiloPort", FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Orleans:GatewayPort", FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Licensing:VendorApiKey", VendorKey);
        builder.UseSetting("Gateway:AnonymousPermitsPerMinute", "100000");

        // Tests sign in thousands of times from one (in-process) address: the lowest allowed hash
        // cost and no per-address sign-in back-off, except where a test sets them itself.
        builder.UseSetting("Licensing:PasswordHashIterations", "100000");
        builder.UseSetting("Licensing:LoginFreeFailuresPerAddress", "100000");
        foreach (var limit in new[] { "TokenPermitsPerMinute", "MutationPermitsPerMinute", "SearchPermitsPerMinute", "DevicePollsPerMinute" })
        {
            builder.UseSetting("Gateway:RateLimits:" + limit, "1000000");
        }
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            builder.UseSetting(key, value);
        }

        if (testServices is not null)
        {
            builder.ConfigureTestServices(testServices);
        }
    }

    private static readonly HashSet<int> HandedOut = [];

    /// <summary>
    /// A loopback port free right now and never handed out before in this test process: the
    /// OS may offer a just-released port again, and two settings of one node (its HTTP and silo
    /// ports) then collide ("address already in use", seen in CI).
    /// </summary>
    public static int FreePort()
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            lock (HandedOut)
            {
                if (HandedOut.Add(port))
                {
                    return port;
                }
            }
        }
    }
}

/// <summary>One in-memory node shared by the tests of this assembly; each test uses fresh keys.</summary>
public sealed class SharedApp : IAsyncLifetime
{
    public LicensingApp App { get; } = new("Memory");

    public ValueTask InitializeAsync()
    {
        App.CreateClient().Dispose();
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync() => await App.DisposeAsync();
}
