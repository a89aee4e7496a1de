using System.Net;

namespace OrleansLicensing.ProcessTests;

/// <summary>
/// The single-node binary behaves the same whichever directory it is started from: it finds its
/// configuration beside itself, keeps relative data paths there, and does not log device polls.
/// </summary>
public sealed class WorkingDirectoryTests
{
    [Fact]
    public async Task Started_from_a_foreign_directory_the_node_uses_its_own_configuration_and_does_not_log_polls()
    {
        var work = Directory.CreateTempSubdirectory("orleans-licensing-cwd-").FullName;
        var relativeData = $"test-data-{Guid.NewGuid():N}";
        var expectedData = Path.Combine(NodeProcess.OutputDirectory("Silo"), relativeData);
        try
        {
            const string vendorKey = "cwd-test-vendor-key-0123456789";
            await using (var node = await NodeProcess.StartAsync("Silo", work, new Dictionary<string, string>
            {
                ["Storage:DataDirectory"] = relativeData,
                ["Orleans:SiloPort"] = NodeProcess.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Orleans:GatewayPort"] = NodeProcess.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Licensing:VendorApiKey"] = vendorKey,

                // 200 polls of one device below: above the production per-device limit (issue 13).
                ["Gateway:RateLimits:DevicePollsPerMinute"] = "1000",
            }))
            {
                var flow = new Walkthrough(node.Http, node.Url, vendorKey);
                await flow.RunAsync();
                var before = node.Output.Length;
                for (var i = 0; i < 200; i++)
                {
                    Assert.Equal(HttpStatusCode.OK, (await flow.PollAsync()).StatusCode);
                }

                await Task.Delay(500, TestContext.Current.CancellationToken);
                var duringPolls = node.Output[before..];
                Assert.DoesNotContain("device/license", duringPolls, StringComparison.Ordinal);
                Assert.True(duringPolls.Length < 2_000, $"200 polls wrote {duringPolls.Length} characters of log:\n{duringPolls[..Math.Min(2_000, duringPolls.Length)]}");

                // Production logs are JSON lines (the appsettings beside the binary were read: no request logging at Information).
                Assert.DoesNotContain("Request starting", node.Output, StringComparison.Ordinal);
            }

            // The relative data directory resolved against the binary's directory, not the working directory.
            Assert.True(File.Exists(Path.Combine(expectedData, "licensing.db")), $"no database under {expectedData}");
            Assert.False(Directory.Exists(Path.Combine(work, relativeData)));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
            if (Directory.Exists(expectedData))
            {
                Directory.Delete(expectedData, recursive: true);
            }
        }
    }
}
