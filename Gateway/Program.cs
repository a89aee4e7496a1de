using OrleansLicensing.Gateway.Hosting;

namespace OrleansLicensing.Gateway;

/// <summary>
/// A gateway process: the HTTP API as a stateless Orleans client of the silos (SPEC §2). The
/// single-node process is the silo host with the gateway co-hosted (see Silo/Program.cs).
/// </summary>
internal static class Program
{
    public static void Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(NodeDefaults.Options(args));
        builder.AddLicensingDefaults();
        builder.AddLicensingClusterClient();
        builder.AddLicensingGateway();

        var app = builder.Build();
        app.UseLicensingGateway();
        app.Run();
    }
}
