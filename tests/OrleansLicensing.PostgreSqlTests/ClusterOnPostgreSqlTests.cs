using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using OrleansLicensing.ProcessTests;

namespace OrleansLicensing.PostgreSqlTests;

/// <summary>
/// The production shape on real processes (SPEC §2): silo processes on PostgreSQL (grain state,
/// the ledger's transactional state, reminders and membership) and a gateway process that finds
/// them through the membership table.
/// </summary>
public sealed class ClusterOnPostgreSqlTests(PostgresServer postgres) : IAsyncDisposable
{
    private const string VendorKey = "pg-cluster-vendor-key-0123456789";
    private readonly string _work = Directory.CreateTempSubdirectory("orleans-licensing-pg-cluster-").FullName;
    private readonly string _clusterId = $"test-{Guid.NewGuid():N}"[..16];

    [Fact]
    public async Task The_walkthrough_through_a_gateway_on_two_silos_survives_restarting_every_silo_with_the_audit_balanced()
    {
        var database = await postgres.CreateDatabaseAsync();
        var signingKey = Path.Combine(_work, "license-signing-key.pem");
        using (var key = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            await File.WriteAllTextAsync(signingKey, key.ExportPkcs8PrivateKeyPem(), TestContext.Current.CancellationToken);
        }

        // The operator's upgrade step first: the migrate verb applies the scripts and exits.
        Assert.Contains("version 3", await MigrateAsync(database), StringComparison.Ordinal);
        Assert.Contains("nothing to apply", await MigrateAsync(database), StringComparison.Ordinal);

        var silos = new List<NodeProcess>();
        try
        {
            silos.Add(await StartSiloAsync(database, signingKey));
            silos.Add(await StartSiloAsync(database, signingKey));
            await using var gateway = await NodeProcess.StartAsync("Gateway", _work, new Dictionary<string, string>
            {
                ["Orleans:ClusterId"] = _clusterId,
                ["Orleans:ConnectionString"] = database,
                ["Licensing:VendorApiKey"] = VendorKey,
                ["Licensing:TokenSigningKey"] = "pg-cluster-token-key-0123456789",
                ["Gateway:RateLimits:TokenPermitsPerMinute"] = "1000000",
                ["Gateway:RateLimits:MutationPermitsPerMinute"] = "1000000",
                ["Gateway:RateLimits:SearchPermitsPerMinute"] = "1000000",
                ["Gateway:RateLimits:DevicePollsPerMinute"] = "1000000",
            });

            var flow = new Walkthrough(gateway.Http, gateway.Url, VendorKey);
            await flow.RunAsync();
            var poll = await flow.PollAsync();
            Assert.Equal(HttpStatusCode.OK, poll.StatusCode);
            var document = await poll.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            Assert.Contains("PBX-Port8*20", document, StringComparison.Ordinal);
            await AssertAuditBalancedAsync(flow);

            // A rolling restart: every silo process is replaced, so whatever answers afterwards
            // was read back from PostgreSQL. The first goes down gracefully, the second is killed.
            for (var i = 0; i < silos.Count; i++)
            {
                var old = silos[i];
                if (i == 0)
                {
                    await StopGracefullyAsync(old);
                }

                await old.DisposeAsync();
                silos[i] = await StartSiloAsync(database, signingKey);
            }

            var after = await EventuallyAsync(async () =>
            {
                var response = await flow.PollAsync();
                return response.StatusCode == HttpStatusCode.OK ? await response.Content.ReadAsStringAsync() : null;
            });
            // The same licenses, signed with the same key (ECDSA signatures differ per signing).
            Assert.Equal(WithoutSignature(document), WithoutSignature(after));
            var balance = await EventuallyAsync(() => TrySendAsync(flow, $"/api/v1/companies/{flow.CompanyId}/projects/{flow.ProjectId}/balance", flow.Token));
            Assert.Empty(balance["licenses"]!.AsObject());
            await AssertAuditBalancedAsync(flow);

            // The ledger keeps working on the restored transactional state: a new key is redeemed.
            var key = (await flow.SendAsync(HttpMethod.Post, "/api/v1/vendor/activation-keys", new { licenses = new Dictionary<string, int> { ["PBX-Port8*20"] = 5 }, orderNumber = "SO-2" }, VendorKey, HttpStatusCode.Created))["key"]!.GetValue<string>();
            await flow.SendAsync(HttpMethod.Post, $"/api/v1/companies/{flow.CompanyId}/projects/{flow.ProjectId}/activations", new { key }, flow.Token, HttpStatusCode.Created);
            var topped = await flow.SendAsync(HttpMethod.Get, $"/api/v1/companies/{flow.CompanyId}/projects/{flow.ProjectId}/balance", null, flow.Token, HttpStatusCode.OK);
            Assert.Equal(5, topped["licenses"]!["PBX-Port8*20"]!.GetValue<int>());
            await AssertAuditBalancedAsync(flow);

            // Issue 13: no secret in plain text anywhere in the database — not the password, the
            // vendor key, the device secret, an access or refresh token, nor an API key (which
            // is used once so its last use is written too).
            var signIn = await flow.SendAsync(HttpMethod.Post, "/api/v1/auth/token", new { email = flow.Email, password = Walkthrough.Password }, null, HttpStatusCode.OK);
            var apiKey = (await flow.SendAsync(HttpMethod.Post, $"/api/v1/companies/{flow.CompanyId}/api-keys", new { name = "erp", rights = new[] { "CheckDeviceStatus" } }, flow.Token, HttpStatusCode.Created))["key"]!.GetValue<string>();
            await flow.SendAsync(HttpMethod.Get, $"/api/v1/companies/{flow.CompanyId}/projects/{flow.ProjectId}/balance", null, apiKey, HttpStatusCode.OK);
            var leaks = await StorageScan.FindAsync(database, new Dictionary<string, string>
            {
                ["password"] = Walkthrough.Password,
                ["vendor key"] = VendorKey,
                ["device secret"] = flow.Secret,
                ["access token"] = signIn["accessToken"]!.GetValue<string>(),
                ["refresh token"] = signIn["refreshToken"]!.GetValue<string>(),
                ["API key"] = apiKey,
                ["API key secret"] = apiKey[(apiKey.LastIndexOf('.') + 1)..],
                ["control"] = "Acme",
            });

            // The control (the company's name, inside the company grain's binary state) shows the
            // scan reads the payloads; nothing else may be found.
            Assert.Contains(leaks, l => l.StartsWith("control in ", StringComparison.Ordinal) && l.Contains("payload", StringComparison.OrdinalIgnoreCase));
            Assert.DoesNotContain(leaks, l => !l.StartsWith("control in ", StringComparison.Ordinal));
        }
        finally
        {
            foreach (var silo in silos)
            {
                await silo.DisposeAsync();
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        Directory.Delete(_work, recursive: true);
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// The poll answer without what differs per signing: the signature's value (ECDSA signatures
    /// are randomised) and the encrypted copy of the document (a fresh nonce per encryption).
    /// </summary>
    private static string WithoutSignature(string answer)
    {
        var json = JsonNode.Parse(answer)!.AsObject();
        json.Remove("encryptedDocument");
        json["document"] = System.Text.RegularExpressions.Regex.Replace(json["document"]!.GetValue<string>(), "(<signature[^>]*>)[^<]*(</signature>)", "$1$2");
        return json.ToJsonString();
    }

    private Task<NodeProcess> StartSiloAsync(string database, string signingKey) =>
        NodeProcess.StartAsync("Silo", _work, new Dictionary<string, string>
        {
            ["Gateway:CoHosted"] = "false",
            ["Storage:Provider"] = "PostgreSql",
            ["Storage:ConnectionString"] = database,
            ["Orleans:ClusterId"] = _clusterId,
            ["Orleans:AdvertisedAddress"] = "127.0.0.1",
            ["Orleans:SiloPort"] = NodeProcess.FreePort().ToString(CultureInfo.InvariantCulture),
            ["Orleans:GatewayPort"] = NodeProcess.FreePort().ToString(CultureInfo.InvariantCulture),
            ["Licensing:DeviceSecretKey"] = "pg-cluster-device-key-0123456789",
            ["Licensing:SigningKeyPath"] = signingKey,
        });

    private async Task<string> MigrateAsync(string database)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = _work, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(NodeProcess.OutputDirectory("Silo"), "OrleansLicensing.Silo.dll"));
        start.ArgumentList.Add("migrate");
        start.ArgumentList.Add("--Storage:Provider=PostgreSql");
        start.ArgumentList.Add($"--Storage:ConnectionString={database}");
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var errors = await process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.True(process.ExitCode == 0, $"migrate exited with {process.ExitCode}:\n{output}\n{errors}");
        return output;
    }

    private static async Task StopGracefullyAsync(NodeProcess node)
    {
        using var signal = Process.Start("kill", ["-TERM", node.ProcessId.ToString(CultureInfo.InvariantCulture)]);
        await signal.WaitForExitAsync();
        using var process = Process.GetProcessById(node.ProcessId);
        await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
    }

    private static async Task AssertAuditBalancedAsync(Walkthrough flow)
    {
        var audit = await EventuallyAsync(() => TrySendAsync(flow, "/api/v1/vendor/audit", VendorKey));
        Assert.True(audit["balanced"]!.GetValue<bool>(), audit.ToJsonString());
    }

    /// <summary>A GET that answers null instead of failing while the cluster settles after a restart.</summary>
    private static async Task<JsonNode?> TrySendAsync(Walkthrough flow, string path, string bearer)
    {
        try
        {
            return await flow.SendAsync(HttpMethod.Get, path, null, bearer, HttpStatusCode.OK);
        }
        catch (Exception e) when (e is Xunit.Sdk.XunitException or HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    /// <summary>Retries for up to a minute: a killed silo is declared dead within seconds, its grains then move.</summary>
    private static async Task<T> EventuallyAsync<T>(Func<Task<T?>> attempt)
        where T : class
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (await attempt() is { } result)
            {
                return result;
            }

            Assert.True(DateTime.UtcNow < deadline, "no success within 60 s after the restart");
            await Task.Delay(500);
        }
    }
}
