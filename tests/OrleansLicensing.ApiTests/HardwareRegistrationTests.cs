using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace OrleansLicensing.ApiTests;

/// <summary>
/// The vendor's hardware registration (R-D1) and its retries: the device secret is shown once,
/// so a registration sent with an <c>Idempotency-Key</c> must be safe to repeat after a lost
/// response or a batch that failed half-way.
/// </summary>
public sealed class HardwareRegistrationTests(SharedApp shared)
{
    private readonly Api _api = new(shared.App.CreateClient());

    [Fact]
    public async Task A_repeated_registration_with_the_same_Idempotency_Key_answers_the_same_secrets()
    {
        var devices = new[] { Device(Api.NewMacSuffix()), Device(Api.NewMacSuffix()) };
        var key = $"hw-{Guid.NewGuid():N}";

        // The first response is "lost"; the retry must hand out the very same secrets.
        var first = await Register(devices, key);
        var retry = await Register(devices, key);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        var secrets = Secrets(await Body(first));
        Assert.Equal(secrets, Secrets(await Body(retry)));
        Assert.Equal(2, secrets.Values.Distinct().Count());

        // The secrets work: a device that polls with its secret is recognised (not 401).
        var (mac, secret) = secrets.First();
        Assert.NotEqual(HttpStatusCode.Unauthorized, (await _api.PollAsync(mac, secret)).StatusCode);

        // Without the key, or with another key, the MACs are taken.
        await Api.AssertProblem(await Register(devices, null), HttpStatusCode.Conflict, "HardwareAlreadyRegistered");
        await Api.AssertProblem(await Register(devices, $"hw-{Guid.NewGuid():N}"), HttpStatusCode.Conflict, "HardwareAlreadyRegistered");

        // The same key cannot change what was registered.
        var changed = new[] { devices[0] with { DeviceType = "IP800" }, devices[1] };
        await Api.AssertProblem(await Register(changed, key), HttpStatusCode.Conflict, "HardwareAlreadyRegistered");
    }

    [Fact]
    public async Task A_batch_retried_after_a_partial_registration_completes_it_with_the_same_secrets()
    {
        var a = Device(Api.NewMacSuffix());
        var b = Device(Api.NewMacSuffix());
        var key = $"hw-{Guid.NewGuid():N}";

        // As if the node stopped after the first device of the batch [a, b] was registered.
        var partial = await Register([a], key);
        Assert.Equal(HttpStatusCode.Created, partial.StatusCode);
        var secretOfA = Secrets(await Body(partial)).Single().Value;

        var completed = await Register([a, b], key);
        Assert.Equal(HttpStatusCode.Created, completed.StatusCode);
        var secrets = Secrets(await Body(completed));
        Assert.Equal(2, secrets.Count);
        Assert.Contains(secretOfA, secrets.Values);
        Assert.Equal(2, secrets.Values.Distinct().Count());
    }

    [Fact]
    public async Task Without_an_Idempotency_Key_every_registration_gets_a_fresh_random_secret_and_a_repeat_is_refused()
    {
        var device = Device(Api.NewMacSuffix());
        var first = await Register([device], null);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        await Api.AssertProblem(await Register([device], null), HttpStatusCode.Conflict, "HardwareAlreadyRegistered");
        Assert.Matches("^[0-9a-f]{32}$", Secrets(await Body(first)).Single().Value);
    }

    [Fact]
    public async Task Two_concurrent_registrations_of_overlapping_MACs_one_wins_and_the_other_changes_nothing()
    {
        var token = await _api.RegisterAndLoginAsync();
        var (companyId, projectId) = await _api.CreateCompanyAsync(token);
        for (var round = 0; round < 8; round++)
        {
            var shared = Enumerable.Range(0, 5).Select(_ => Api.NewMacSuffix()).ToArray();
            var onlyA = Enumerable.Range(0, 20).Select(_ => Api.NewMacSuffix()).ToArray();
            var onlyB = Enumerable.Range(0, 20).Select(_ => Api.NewMacSuffix()).ToArray();
            var orderA = $"SO-A-{Guid.NewGuid():N}";
            var orderB = $"SO-B-{Guid.NewGuid():N}";
            HardwareItem[] batchA = [.. onlyA.Concat(shared).Select(m => new HardwareItem(m, "IP6000", orderA, "2026-11-01"))];
            HardwareItem[] batchB = [.. shared.Concat(onlyB).Select(m => new HardwareItem(m, "IP6000", orderB, "2026-11-01"))];

            var answers = await Task.WhenAll(Register(batchA, null), Register(batchB, null));
            var statuses = answers.Select(a => a.StatusCode).ToArray();
            Assert.Single(statuses, HttpStatusCode.Created);
            var loser = answers.Single(a => a.StatusCode != HttpStatusCode.Created);
            var code = (await Api.Json(loser))["code"]!.GetValue<string>();
            Assert.Contains(code, new[] { "HardwareAlreadyRegistered", "Conflict" });
            await Api.AssertProblem(loser, HttpStatusCode.Conflict, code);

            // The loser's own devices were not registered and its order does not exist.
            var (loserOnly, loserOrder) = loser == answers[0] ? (onlyA, orderA) : (onlyB, orderB);
            var added = await Api.Json(await _api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{companyId}/projects/{projectId}/devices", new { macs = loserOnly.Take(10) }, token));
            Assert.All(added["results"]!.AsArray(), r => Assert.Equal("NotFound", r!["code"]!.GetValue<string>()));
            await Api.AssertProblem(await _api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{companyId}/projects/{projectId}/devices", new { orderNumber = loserOrder }, token), HttpStatusCode.NotFound, "NotFound");
        }
    }

    private static HardwareItem Device(string mac) => new(mac, "IP6000", "SO-IDEM", "2026-11-01");

    private Task<HttpResponseMessage> Register(HardwareItem[] devices, string? idempotencyKey)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/vendor/hardware") { Content = JsonContent.Create(new { devices }) };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", LicensingApp.VendorKey);
        if (idempotencyKey is not null)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", idempotencyKey);
        }

        return _api.Http.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private static async Task<JsonNode> Body(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;

    private static Dictionary<string, string> Secrets(JsonNode body) =>
        body["devices"]!.AsArray().ToDictionary(d => d!["mac"]!.GetValue<string>(), d => d!["deviceSecret"]!.GetValue<string>());

    /// <summary>Serialised camelCase (JsonContent uses the web defaults), as SPEC §4.1 names the fields.</summary>
    private sealed record HardwareItem(string Mac, string DeviceType, string OrderNumber, string ShipDate);
}
