using OrleansLicensing.Gateway;
using OrleansLicensing.Gateway.Hosting;
using OrleansLicensing.Gateway.Infrastructure;
using OrleansLicensing.Silo;

// A silo process. With Gateway:CoHosted (the single-node default, decision D20) it also serves
// the HTTP API in this process; otherwise it serves health and metrics only and gateways
// reach it as Orleans clients. `migrate` as the first argument applies the schema scripts and exits;
// `verify-license` checks a license file against published keys and exits (docs/license-files.md).
if (SchemaMigration.IsRequested(args))
{
    return await SchemaMigration.RunAsync(args);
}

if (LicenseVerifier.IsRequested(args))
{
    return LicenseVerifier.Run(args, Console.Out, Console.Error);
}

var builder = WebApplication.CreateBuilder(NodeDefaults.Options(args));
builder.AddLicensingDefaults();
builder.AddLicensingSilo();
var coHosted = builder.Configuration.GetValue(SiloHost.CoHostedKey, true);
if (coHosted)
{
    builder.AddLicensingGateway();
}
else
{
    builder.AddSiloOperations();
}

var app = builder.Build();
if (coHosted)
{
    app.UseLicensingGateway();
}
else
{
    app.MapOperationsEndpoints();
}

app.MapSiloDashboard();
await app.RunAsync();
return 0;

/// <summary>Entry point of the single-node process, public for <c>WebApplicationFactory</c> in the HTTP tests.</summary>
public partial class Program;
