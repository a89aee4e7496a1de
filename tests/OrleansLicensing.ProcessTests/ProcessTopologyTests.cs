using System.Net;

namespace OrleansLicensing.ProcessTests;

/// <summary>
/// The production shape (SPEC §2): a silo process that serves no API and a gateway process that
/// reaches it as a stateless Orleans client and carries no grain or storage code.
/// </summary>
public sealed class ProcessTopologyTests
{
    /// <summary>
    /// Assemblies that would mean grains, the silo runtime's storage, or SQLite in a gateway.
    /// Npgsql and Orleans.Clustering.AdoNet are allowed: a gateway reads the silos' membership
    /// table in PostgreSQL to find them (AdoNet clustering client); grain storage and reminders are not.
    /// </summary>
    private static readonly string[] Forbidden =
    [
        "OrleansLicensing.Grains.dll",
        "OrleansLicensing.Silo.dll",
        "Orleans.Server.dll",
        "Orleans.Persistence.AdoNet.dll",
        "Orleans.Reminders.dll",
        "Orleans.Reminders.AdoNet.dll",
        "Orleans.Dashboard.dll",
        "Microsoft.Data.Sqlite.dll",
        "SQLitePCLRaw.core.dll",
    ];

    [Fact]
    public void The_gateway_build_output_holds_no_grain_or_storage_assembly()
    {
        var output = NodeProcess.OutputDirectory("Gateway");
        var files = Directory.GetFiles(output).Select(Path.GetFileName).ToArray();
        Assert.Contains("OrleansLicensing.Gateway.dll", files);
        Assert.Contains("OrleansLicensing.GrainInterfaces.dll", files);
        var leaked = files.Where(f => Forbidden.Contains(f, StringComparer.OrdinalIgnoreCase) || f!.StartsWith("Orleans.Persistence", StringComparison.OrdinalIgnoreCase)).ToArray();
        Assert.True(leaked.Length == 0, "grain or storage assemblies in the gateway's output: " + string.Join(", ", leaked));

        // The silo host has them (it is the contrast that makes the check meaningful).
        var silo = Directory.GetFiles(NodeProcess.OutputDirectory("Silo")).Select(Path.GetFileName).ToArray();
        Assert.Contains("OrleansLicensing.Grains.dll", silo);
        Assert.Contains("Orleans.Persistence.AdoNet.dll", silo);
    }

    [Fact]
    public async Task A_gateway_process_serves_the_walkthrough_from_a_silo_process_that_serves_no_API()
    {
        var work = Directory.CreateTempSubdirectory("orleans-licensing-topology-").FullName;
        try
        {
            var gatewayPort = NodeProcess.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
            await using var silo = await NodeProcess.StartAsync("Silo", work, new Dictionary<string, string>
            {
                ["Gateway:CoHosted"] = "false",
                ["Storage:Provider"] = "Sqlite",
                ["Storage:DataDirectory"] = Path.Combine(work, "data"),
                ["Orleans:SiloPort"] = NodeProcess.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Orleans:GatewayPort"] = gatewayPort,
            });
            const string vendorKey = "process-test-vendor-key-0123456789";
            await using var gateway = await NodeProcess.StartAsync("Gateway", work, new Dictionary<string, string>
            {
                ["Orleans:GatewayPorts:0"] = gatewayPort,
                ["Licensing:VendorApiKey"] = vendorKey,
                ["Licensing:TokenSigningKey"] = "process-test-token-key-0123456789",
            });

            var flow = new Walkthrough(gateway.Http, gateway.Url, vendorKey);
            await flow.RunAsync();
            var balance = await flow.SendAsync(HttpMethod.Get, $"/api/v1/companies/{flow.CompanyId}/projects/{flow.ProjectId}/balance", null, flow.Token, HttpStatusCode.OK);
            Assert.Empty(balance["licenses"]!.AsObject());

            var poll = await flow.PollAsync();
            Assert.Equal(HttpStatusCode.OK, poll.StatusCode);
            Assert.Contains("PBX-Port8*20", await poll.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.NotModified, (await flow.PollAsync(poll.Headers.ETag!.Tag)).StatusCode);

            // The silo serves operations, not the API.
            Assert.Equal(HttpStatusCode.NotFound, (await silo.Http.GetAsync(silo.Url + "/api/v1/catalog/versions", TestContext.Current.CancellationToken)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await silo.Http.GetAsync(silo.Url + "/metrics", TestContext.Current.CancellationToken)).StatusCode);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [Fact]
    public async Task A_gateway_without_its_keys_refuses_to_start_and_names_them()
    {
        var work = Directory.CreateTempSubdirectory("orleans-licensing-gateway-keys-").FullName;
        try
        {
            var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => NodeProcess.StartAsync("Gateway", work, new Dictionary<string, string>()));
            Assert.Contains("Licensing:VendorApiKey", failure.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
