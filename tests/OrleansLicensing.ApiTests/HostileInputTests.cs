using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace OrleansLicensing.ApiTests;

/// <summary>
/// Every route answers malformed and hostile input with a problem+json 4xx that carries a
/// code — never a 5xx — and leaves no partial effect.
/// </summary>
public sealed class HostileInputTests(SharedApp shared) : IAsyncLifetime
{
    private readonly Api _api = new(shared.App.CreateClient());
    private string _token = string.Empty;
    private string _companyId = string.Empty;
    private string _projectId = string.Empty;
    private string _mac = string.Empty;
    private string _secret = string.Empty;

    /// <summary>Every route of the skeleton that takes a body, with the credential it needs.</summary>
    public static TheoryData<string, string> BodyRoutes => new()
    {
        { "/api/v1/accounts", "none" },
        { "/api/v1/auth/token", "none" },
        { "/api/v1/companies", "user" },
        { "/api/v1/companies/{cid}/projects", "user" },
        { "/api/v1/companies/{cid}/projects/{pid}/activations", "user" },
        { "/api/v1/companies/{cid}/projects/{pid}/devices", "user" },
        { "/api/v1/companies/{cid}/devices/{mac}/licenses", "user" },
        { "/api/v1/vendor/activation-keys", "vendor" },
        { "/api/v1/vendor/hardware", "vendor" },
        { "/api/v1/ssc/quote", "none" },
        { "/api/v1/companies/{cid}/projects/{pid}/own-keys", "user" },
        { "/api/v1/companies/{cid}/projects/{pid}/free-licenses/convert", "user" },
        { "/api/v1/companies/{cid}/devices/{mac}/licenses/from-free", "user" },
        { "/api/v1/companies/{cid}/devices/{mac}/licenses/move", "user" },
    };

    public static TheoryData<string, string> HostileBodies => new()
    {
        { "malformed", "{" },
        { "array", "[]" },
        { "null", "null" },
        { "empty", "" },
        { "string", "\"hello\"" },
        { "missing fields", "{\"unrelated\":1}" },
        { "wrong types", "{\"email\":5,\"password\":[],\"displayName\":{},\"name\":7,\"key\":7,\"licenses\":\"x\",\"orderNumber\":[],\"macs\":\"abc\",\"devices\":5,\"version\":1,\"calculationDate\":true,\"endDate\":3,\"lots\":{}}" },
        { "numbers as strings", "{\"licenses\":{\"PBX-Port8*20\":\"20\"},\"version\":\"V13\",\"orderNumber\":\"SO\"}" },
        { "overflowing number", "{\"licenses\":{\"PBX-Port8*20\":99999999999999},\"version\":\"V13\"}" },
        { "deep nesting", new string('[', 5000) + new string(']', 5000) },
        { "bad dates", "{\"calculationDate\":\"2026-13-45\",\"endDate\":\"yesterday\",\"lots\":[],\"devices\":[{\"mac\":\"zz\",\"deviceType\":\"IP6000\",\"orderNumber\":\"x\",\"shipDate\":\"31.12.2026\"}]}" },
    };

    public async ValueTask InitializeAsync()
    {
        _token = await _api.RegisterAndLoginAsync();
        (_companyId, _projectId) = await _api.CreateCompanyAsync(_token);
        (_mac, _secret) = await _api.RegisterHardwareAsync(Api.NewMacSuffix());
        var add = await _api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{_companyId}/projects/{_projectId}/devices", new { macs = new[] { _mac } }, _token);
        Assert.Equal(HttpStatusCode.OK, add.StatusCode);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Theory]
    [MemberData(nameof(Combinations))]
    public async Task Hostile_bodies_get_a_problem_json_4xx_with_a_code(string route, string credential, string _, string body)
    {
        var response = await PostRawAsync(route, credential, body, "application/json");
        await AssertClientError(response);
    }

    public static TheoryData<string, string, string, string> Combinations()
    {
        var data = new TheoryData<string, string, string, string>();
        foreach (var route in BodyRoutes)
        {
            foreach (var body in HostileBodies)
            {
                data.Add(route.Data.Item1, route.Data.Item2, body.Data.Item1, body.Data.Item2);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(BodyRoutes))]
    public async Task Wrong_media_type_is_415_UnsupportedMediaType(string route, string credential)
    {
        var response = await PostRawAsync(route, credential, "{}", "text/plain");
        await Api.AssertProblem(response, HttpStatusCode.UnsupportedMediaType, "UnsupportedMediaType");
    }

    [Theory]
    [MemberData(nameof(BodyRoutes))]
    public async Task Oversized_body_is_413_PayloadTooLarge(string route, string credential)
    {
        var huge = "{\"name\":\"" + new string('x', 400 * 1024) + "\"}";
        var response = await PostRawAsync(route, credential, huge, "application/json");
        await Api.AssertProblem(response, HttpStatusCode.RequestEntityTooLarge, "PayloadTooLarge");
    }

    [Fact]
    public async Task Unknown_license_types_and_negative_units_are_refused_when_minting()
    {
        await Api.AssertProblem(await Vendor("/api/v1/vendor/activation-keys", new { licenses = new Dictionary<string, int> { ["PBX-Nope"] = 1 } }), HttpStatusCode.BadRequest, "UnknownLicenseType");
        await Api.AssertProblem(await Vendor("/api/v1/vendor/activation-keys", new { licenses = new Dictionary<string, int> { ["PBX-Port8*20"] = -5 } }), HttpStatusCode.BadRequest, "InvalidUnits");
        await Api.AssertProblem(await Vendor("/api/v1/vendor/activation-keys", new { licenses = new Dictionary<string, int> { ["PBX-Port8*20"] = 0 } }), HttpStatusCode.BadRequest, "InvalidUnits");
        await Api.AssertProblem(await Vendor("/api/v1/vendor/activation-keys", new { licenses = new Dictionary<string, int>() }), HttpStatusCode.BadRequest, "ValidationFailed");
    }

    [Fact]
    public async Task R_F1_one_bad_mac_in_a_hardware_batch_registers_nothing()
    {
        var good = Api.NewMacSuffix();
        var batch = new { devices = new object[] { new { mac = good, deviceType = "IP800", orderNumber = "SO-9", shipDate = "2026-01-01" }, new { mac = "00-90-33-zz-00-00", deviceType = "IP800", orderNumber = "SO-9", shipDate = "2026-01-01" } } };
        await Api.AssertProblem(await Vendor("/api/v1/vendor/hardware", batch), HttpStatusCode.BadRequest, "InvalidMac");
        var unknownType = new { devices = new[] { new { mac = good, deviceType = "IP9999", orderNumber = "SO-9", shipDate = "2026-01-01" } } };
        await Api.AssertProblem(await Vendor("/api/v1/vendor/hardware", unknownType), HttpStatusCode.BadRequest, "UnknownDeviceType");

        // Nothing of the refused batches was registered: the good MAC registers now.
        var (mac, _) = await _api.RegisterHardwareAsync(good, "IP800", "SO-9");
        await Api.AssertProblem(await Vendor("/api/v1/vendor/hardware", new { devices = new[] { new { mac, deviceType = "IP800", orderNumber = "SO-9", shipDate = "2026-01-01" } } }), HttpStatusCode.Conflict, "HardwareAlreadyRegistered");
    }

    [Fact]
    public async Task R_F1_R_F2_bad_device_batches_are_refused_before_any_effect()
    {
        var (fresh, _) = await _api.RegisterHardwareAsync(Api.NewMacSuffix());
        var devices = $"/api/v1/companies/{_companyId}/projects/{_projectId}/devices";
        await Api.AssertProblem(await User(devices, new { macs = new[] { fresh, "not-a-mac" } }), HttpStatusCode.BadRequest, "InvalidMac");
        await Api.AssertProblem(await User(devices, new { macs = Enumerable.Range(0, 51).Select(i => (0x100000 + i).ToString("x6", System.Globalization.CultureInfo.InvariantCulture)).ToArray() }), HttpStatusCode.BadRequest, "TooManyDevices");
        await Api.AssertProblem(await User(devices, new { range = new { from = "00-90-33-10-00-32", to = "00-90-33-10-00-00" } }), HttpStatusCode.BadRequest, "ValidationFailed");
        await Api.AssertProblem(await User(devices, new { range = new { from = "00-90-33-10-00-00", to = "00-90-33-10-00-32" } }), HttpStatusCode.BadRequest, "TooManyDevices");
        await Api.AssertProblem(await User(devices, new { }), HttpStatusCode.BadRequest, "ValidationFailed");
        await Api.AssertProblem(await User(devices, new { macs = new[] { fresh }, orderNumber = "SO-1" }), HttpStatusCode.BadRequest, "ValidationFailed");

        var list = await _api.SendAsync(HttpMethod.Get, devices, null, _token);
        var macs = (await Api.Json(list)).AsArray().Select(n => n!.GetValue<string>()).ToList();
        Assert.DoesNotContain(fresh, macs);
    }

    [Fact]
    public async Task R_D3_unknown_and_duplicate_devices_are_per_device_results()
    {
        var devices = $"/api/v1/companies/{_companyId}/projects/{_projectId}/devices";
        var (fresh, _) = await _api.RegisterHardwareAsync(Api.NewMacSuffix());
        var unknown = "00-90-33-" + string.Join('-', Convert.FromHexString(Api.NewMacSuffix()).Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
        var response = await User(devices, new { macs = new[] { fresh, unknown, _mac } });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var results = (await Api.Json(response))["results"]!.AsArray();
        Assert.Equal(("added", (string?)null), Outcome(results, fresh));
        Assert.Equal(("error", "NotFound"), Outcome(results, unknown));
        Assert.Equal(("error", "AlreadyInCompany"), Outcome(results, _mac));
    }

    [Fact]
    public async Task Bad_license_requests_leave_the_balance_and_the_device_untouched()
    {
        var key = await _api.MintKeyAsync(new Dictionary<string, int> { ["Relay-PRI"] = 6, ["PBX-Port8*20"] = 2 });
        var redeem = await User($"/api/v1/companies/{_companyId}/projects/{_projectId}/activations", new { key });
        Assert.Equal(HttpStatusCode.Created, redeem.StatusCode);
        var licenses = $"/api/v1/companies/{_companyId}/devices/{_mac}/licenses";

        await Api.AssertProblem(await User(licenses, new { version = "V13", licenses = new Dictionary<string, int> { ["Relay-PRI"] = 5 } }), HttpStatusCode.UnprocessableEntity, "ConsistencyViolation");
        await Api.AssertProblem(await User(licenses, new { version = "V13", licenses = new Dictionary<string, int> { ["PBX-Nope"] = 1 } }), HttpStatusCode.BadRequest, "UnknownLicenseType");
        await Api.AssertProblem(await User(licenses, new { version = "V13", licenses = new Dictionary<string, int> { ["Relay-PRI"] = -1 } }), HttpStatusCode.BadRequest, "InvalidUnits");
        await Api.AssertProblem(await User(licenses, new { version = "V99", licenses = new Dictionary<string, int> { ["Relay-PRI"] = 1 } }), HttpStatusCode.UnprocessableEntity, "VersionNotOffered");
        await Api.AssertProblem(await User(licenses, new { version = "V13", licenses = new Dictionary<string, int> { ["PBX-PBX7#15"] = 1 } }), HttpStatusCode.UnprocessableEntity, "VersionNotOffered");
        await Api.AssertProblem(await User(licenses, new { version = "V13", licenses = new Dictionary<string, int> { ["PBX-Port8*20"] = 3 } }), HttpStatusCode.Conflict, "InsufficientBalance");
        await Api.AssertProblem(await User(licenses, new { version = "V13", licenses = new Dictionary<string, int> { ["PBX-Port8*20"] = 1, ["PBX-Voicemail"] = 7 } }), HttpStatusCode.UnprocessableEntity, "ConsistencyViolation");
        await Api.AssertProblem(await User($"/api/v1/companies/{_companyId}/devices/not-a-mac/licenses", new { version = "V13", licenses = new Dictionary<string, int> { ["Relay-PRI"] = 1 } }), HttpStatusCode.BadRequest, "InvalidMac");

        var balance = await _api.BalanceAsync(_token, _companyId, _projectId);
        Assert.Equal(6, balance["Relay-PRI"]!.GetValue<int>());
        Assert.Equal(2, balance["PBX-Port8*20"]!.GetValue<int>());
        var device = await Api.Json(await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{_companyId}/devices/{_mac}", null, _token));
        Assert.Empty(device["licenses"]!.AsArray());

        // A dry run shows the draw and changes nothing.
        var dryRun = await User(licenses, new { version = "V13", licenses = new Dictionary<string, int> { ["Relay-PRI"] = 4 }, dryRun = true });
        Assert.Equal(HttpStatusCode.OK, dryRun.StatusCode);
        Assert.Equal(4, (await Api.Json(dryRun))["debited"]![0]!["licenses"]!["Relay-PRI"]!.GetValue<int>());
        Assert.Equal(6, (await _api.BalanceAsync(_token, _companyId, _projectId))["Relay-PRI"]!.GetValue<int>());
    }

    [Fact]
    public async Task Accounts_and_tokens_refuse_bad_credentials()
    {
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Post, "/api/v1/accounts", new { email = "no-at-sign", password = "long enough pw", displayName = "X" }), HttpStatusCode.BadRequest, "InvalidEmail");
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Post, "/api/v1/accounts", new { email = Api.NewEmail(), password = "short", displayName = "X" }), HttpStatusCode.BadRequest, "ValidationFailed");
        var email = Api.NewEmail();
        await _api.RegisterAndLoginAsync(email);
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Post, "/api/v1/accounts", new { email = email.ToUpperInvariant(), password = "another password", displayName = "X" }), HttpStatusCode.Conflict, "AccountExists");
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Post, "/api/v1/auth/token", new { email, password = "wrong password" }), HttpStatusCode.Unauthorized, "Unauthorized");
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Post, "/api/v1/auth/token", new { email = Api.NewEmail(), password = "whatever it is" }), HttpStatusCode.Unauthorized, "Unauthorized");
    }

    [Fact]
    public async Task Authentication_and_authorisation_failures_are_problem_json()
    {
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Get, "/api/v1/me", null), HttpStatusCode.Unauthorized, "Unauthorized");
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Get, "/api/v1/me", null, "v1.forged.token"), HttpStatusCode.Unauthorized, "Unauthorized");
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Post, "/api/v1/vendor/activation-keys", new { licenses = new Dictionary<string, int> { ["SSC"] = 1 } }, _token), HttpStatusCode.Forbidden, "Forbidden");
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{_companyId}", null, LicensingApp.VendorKey), HttpStatusCode.Forbidden, "Forbidden");

        // Another user sees nothing of this company.
        var stranger = await _api.RegisterAndLoginAsync();
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{_companyId}/projects/{_projectId}/balance", null, stranger), HttpStatusCode.NotFound, "NotFound");
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{_companyId}/devices/{_mac}", null, stranger), HttpStatusCode.NotFound, "NotFound");
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Get, "/api/v1/companies/NOT-AN-ID/projects", null, _token), HttpStatusCode.NotFound, "NotFound");
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{_companyId}/projects/0000000000000000/balance", null, _token), HttpStatusCode.NotFound, "NotFound");
    }

    [Fact]
    public async Task Unknown_routes_and_methods_are_problem_json()
    {
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Get, "/api/v1/nothing-here", null), HttpStatusCode.NotFound, "NotFound");
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Delete, "/api/v1/accounts", null), HttpStatusCode.MethodNotAllowed, "MethodNotAllowed");
    }

    [Fact]
    public async Task Redeeming_unknown_or_garbage_keys_is_404()
    {
        var activations = $"/api/v1/companies/{_companyId}/projects/{_projectId}/activations";
        await Api.AssertProblem(await User(activations, new { key = "AAAAA-AAAAA-AAAAA-AAAAA-AAAAA" }), HttpStatusCode.NotFound, "NotFound");
        await Api.AssertProblem(await User(activations, new { key = "<script>" }), HttpStatusCode.NotFound, "NotFound");
    }

    [Fact]
    public async Task Device_poll_refuses_missing_wrong_and_malformed_credentials()
    {
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Get, "/api/v1/device/license", null), HttpStatusCode.Unauthorized, "Unauthorized");
        await Api.AssertProblem(await _api.PollAsync(_mac, "wrong-secret"), HttpStatusCode.Unauthorized, "Unauthorized");
        await Api.AssertProblem(await _api.PollAsync("zz-zz", _secret), HttpStatusCode.BadRequest, "InvalidMac");
        await Api.AssertProblem(await _api.PollAsync("00-90-33-ff-ff-fe", _secret), HttpStatusCode.Unauthorized, "Unauthorized");

        var ok = await _api.PollAsync(_mac, _secret);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var etag = ok.Headers.ETag!.Tag;
        Assert.Equal(HttpStatusCode.NotModified, (await _api.PollAsync(_mac, _secret, etag)).StatusCode);
        Assert.Equal(HttpStatusCode.NotModified, (await _api.PollAsync(_mac, _secret, "\"other\", W/" + etag)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _api.PollAsync(_mac, _secret, "\"other\"")).StatusCode);
    }

    [Fact]
    public async Task Ssc_quote_refuses_bad_lots_and_dates()
    {
        var lot = new { type = "PBX-Port8*20", units = 20, version = "V8", bindDate = "2009-06-24" };
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Post, "/api/v1/ssc/quote", new { calculationDate = "2011-12-12", endDate = "2009-08-31", lots = new[] { lot } }), HttpStatusCode.BadRequest, "SsaEndInPast");
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Post, "/api/v1/ssc/quote", new { calculationDate = "2009-08-31", endDate = "2011-12-12", lots = new[] { lot with { type = "Nope" } } }), HttpStatusCode.BadRequest, "UnknownLicenseType");
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Post, "/api/v1/ssc/quote", new { calculationDate = "2009-08-31", endDate = "2011-12-12", lots = new[] { lot with { units = 0 } } }), HttpStatusCode.BadRequest, "InvalidUnits");
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Post, "/api/v1/ssc/quote", new { calculationDate = "2009-08-31", endDate = "2011-12-12", lots = Array.Empty<object>() }), HttpStatusCode.BadRequest, "ValidationFailed");
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Post, "/api/v1/ssc/quote", new { calculationDate = "2009-08-31", endDate = "2011-12-12", lots = new[] { lot with { version = "V1" } } }), HttpStatusCode.UnprocessableEntity, "VersionNotOffered");
    }

    private static (string Status, string? Code) Outcome(JsonArray results, string mac)
    {
        var entry = results.Single(r => r!["mac"]!.GetValue<string>() == mac)!;
        return (entry["status"]!.GetValue<string>(), entry["code"]?.GetValue<string>());
    }

    private Task<HttpResponseMessage> Vendor(string path, object body) => _api.SendAsync(HttpMethod.Post, path, body, LicensingApp.VendorKey);

    private Task<HttpResponseMessage> User(string path, object body) => _api.SendAsync(HttpMethod.Post, path, body, _token);

    private Task<HttpResponseMessage> PostRawAsync(string route, string credential, string body, string mediaType)
    {
        var path = route.Replace("{cid}", _companyId, StringComparison.Ordinal).Replace("{pid}", _projectId, StringComparison.Ordinal).Replace("{mac}", _mac, StringComparison.Ordinal);
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, mediaType) };
        var bearer = credential switch
        {
            "user" => _token,
            "vendor" => LicensingApp.VendorKey,
            _ => null,
        };
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        return _api.Http.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private static async Task AssertClientError(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var status = (int)response.StatusCode;
        Assert.True(status is >= 400 and < 500, $"expected a 4xx, got {status}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var code = JsonNode.Parse(text)?["code"]?.GetValue<string>();
        Assert.False(string.IsNullOrEmpty(code), $"no code in {text}");
    }
}
