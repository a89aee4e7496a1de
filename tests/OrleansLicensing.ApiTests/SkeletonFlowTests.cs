using System.Net;
using System.Text.Json.Nodes;

namespace OrleansLicensing.ApiTests;

/// <summary>The Foundation's walking skeleton, end to end over HTTP on the durable SQLite node.</summary>
public sealed class SkeletonFlowTests : IDisposable
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "orleans-licensing-tests", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Skeleton_flow_is_unchanged_after_the_node_restarts_on_the_same_data_directory()
    {
        string token, companyId, projectId, mac, secret, etag;
        JsonNode pollBefore;

        await using (var app = new LicensingApp("Sqlite", _dataDirectory))
        {
            var api = new Api(app.CreateClient());
            token = await api.RegisterAndLoginAsync();
            (companyId, projectId) = await api.CreateCompanyAsync(token);
            var key = await api.MintKeyAsync(new Dictionary<string, int> { ["PBX-Port8*20"] = 20 });
            (mac, secret) = await api.RegisterHardwareAsync("0a1b2c");
            Assert.Equal("00-90-33-0a-1b-2c", mac);

            var redeem = await api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{companyId}/projects/{projectId}/activations", new { key }, token);
            Assert.Equal(HttpStatusCode.Created, redeem.StatusCode);
            var redeemed = await Api.Json(redeem);
            Assert.Equal(key, redeemed["key"]!.GetValue<string>());
            Assert.Equal(projectId, redeemed["projectId"]!.GetValue<string>());
            Assert.Equal(20, redeemed["licenses"]!["PBX-Port8*20"]!.GetValue<int>());
            Assert.Equal(20, (await api.BalanceAsync(token, companyId, projectId))["PBX-Port8*20"]!.GetValue<int>());

            // R-K2: the second redeem is refused and changes nothing.
            var again = await api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{companyId}/projects/{projectId}/activations", new { key }, token);
            await Api.AssertProblem(again, HttpStatusCode.Conflict, "KeyAlreadyAssigned");
            Assert.Equal(20, (await api.BalanceAsync(token, companyId, projectId))["PBX-Port8*20"]!.GetValue<int>());

            var add = await api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{companyId}/projects/{projectId}/devices", new { macs = new[] { "00:90:33:0A:1B:2C" } }, token);
            Assert.Equal(HttpStatusCode.OK, add.StatusCode);
            var result = (await Api.Json(add))["results"]![0]!;
            Assert.Equal(mac, result["mac"]!.GetValue<string>());
            Assert.Equal("added", result["status"]!.GetValue<string>());

            var licenses = await api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{companyId}/devices/{mac}/licenses",
                new { version = "V13", licenses = new Dictionary<string, int> { ["PBX-Port8*20"] = 20 } }, token);
            Assert.Equal(HttpStatusCode.OK, licenses.StatusCode);
            var bound = await Api.Json(licenses);
            Assert.Equal(20, bound["lots"]![0]!["units"]!.GetValue<int>());
            Assert.Equal(projectId, bound["debited"]![0]!["projectId"]!.GetValue<string>());
            Assert.Empty(await api.BalanceAsync(token, companyId, projectId));

            var poll = await api.PollAsync(mac, secret);
            Assert.Equal(HttpStatusCode.OK, poll.StatusCode);
            etag = poll.Headers.ETag!.Tag;
            pollBefore = await Api.Json(poll);
            Assert.Equal(mac, pollBefore["mac"]!.GetValue<string>());
            Assert.Equal("PBX-Port8*20", pollBefore["licenses"]![0]!["type"]!.GetValue<string>());
            Assert.Equal(20, pollBefore["licenses"]![0]!["units"]!.GetValue<int>());
            Assert.StartsWith("<license ", pollBefore["document"]!.GetValue<string>(), StringComparison.Ordinal);
        }

        // A new process on the same data directory: the same keys, state and answers.
        await using (var app = new LicensingApp("Sqlite", _dataDirectory))
        {
            var api = new Api(app.CreateClient());
            Assert.Empty(await api.BalanceAsync(token, companyId, projectId));

            var device = await api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{companyId}/devices/{mac}", null, token);
            Assert.Equal(HttpStatusCode.OK, device.StatusCode);
            var lots = (await Api.Json(device))["licenses"]!.AsArray();
            Assert.Single(lots);
            Assert.Equal(20, lots[0]!["units"]!.GetValue<int>());

            var poll = await api.PollAsync(mac, secret);
            Assert.Equal(HttpStatusCode.OK, poll.StatusCode);
            Assert.Equal(etag, poll.Headers.ETag!.Tag);
            var pollAfter = await Api.Json(poll);
            Assert.Equal(pollBefore["licenses"]!.ToJsonString(), pollAfter["licenses"]!.ToJsonString());

            var notModified = await api.PollAsync(mac, secret, etag);
            Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);

            var key = await api.MintKeyAsync(new Dictionary<string, int> { ["Relay-PRI"] = 1 });
            var redeem = await api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{companyId}/projects/{projectId}/activations", new { key }, token);
            Assert.Equal(HttpStatusCode.Created, redeem.StatusCode);
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
