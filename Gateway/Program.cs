using OrleansLicensing.Gateway;
using OrleansLicensing.Silo;

// Single node: the silo and the HTTP gateway share one process (SPEC §2).
var builder = WebApplication.CreateBuilder(args);
builder.AddLicensingSilo();
builder.AddLicensingGateway();

var app = builder.Build();
app.UseLicensingGateway();
app.Run();

/// <summary>Entry point, public for <c>WebApplicationFactory</c> in the HTTP tests.</summary>
public partial class Program;
