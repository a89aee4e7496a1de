using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Orleans.Runtime;
using OrleansLicensing.Silo;

namespace OrleansLicensing.ApiTests;

/// <summary>
/// Any string may become (part of) a grain key. Orleans' AdoNet storage formatted the key as a
/// composite-format string after writing the row, so a brace in an e-mail or an order number
/// gave a 500 with the state already written; keys are now escaped at the storage boundary
/// (FormatSafeGrainKeyStorage). Driven over HTTP against the durable SQLite node, across a restart.
/// </summary>
public sealed class HostileGrainKeyTests : IAsyncLifetime
{
    /// <summary>Format characters and other oddities; every one is printable (control characters are refused as text).</summary>
    public static readonly string[] Oddities =
    [
        "{0}", "}{", "{", "}", "{{x}}", "{0:N}", "%s", "%n", "%d%%", "%", "%00", "%7B0%7D", "'", "''; drop table x; --",
        "\"q\"", "\\", "a\\b", "../..", "$(x)", "${x}", "#", "+", "é", "日本", "🙂", "Ω≈ç", "\u200e",
    ];

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "orleans-licensing-keys", Guid.NewGuid().ToString("N"));

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // SQLite may still hold the file on a slow machine; the temp folder is cleaned eventually.
        }

        return ValueTask.CompletedTask;
    }

    [Fact]
    public void Keys_without_braces_are_unchanged_and_escaping_never_makes_two_keys_one()
    {
        var type = GrainType.Create("user");
        var plain = GrainId.Create(type, "plain-key%s'\"\\é@example.com");
        Assert.Equal(plain, FormatSafeGrainKeyStorage.Escape(plain));

        string[] keys = ["a{b", "a{{b", "a}b", "a}}b", "{", "{{", "}", "}}", "{}", "{{}}", "a{b}c", "a{{b}}c", "ab"];
        var escaped = keys.Select(k => FormatSafeGrainKeyStorage.Escape(GrainId.Create(type, k)).Key.ToString()).ToList();
        Assert.Equal(keys.Length, escaped.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal("a{{b}}c", escaped[10]);

        // What the provider does with the key afterwards: format it. It must neither throw nor alter it.
        Assert.All(keys.Zip(escaped), pair => Assert.Equal(pair.First, string.Format(System.Globalization.CultureInfo.InvariantCulture, pair.Second)));
    }

    [Fact]
    public async Task Format_characters_in_every_key_bearing_input_round_trip_through_SQLite_storage()
    {
        var ct = TestContext.Current.CancellationToken;
        var accounts = new List<(string Email, string Password)>();
        var orders = new List<string>();
        string token, companyId, projectId;

        await using (var app = new LicensingApp("Sqlite", _directory))
        {
            var api = new Api(app.CreateClient());

            // Account e-mails: accepted ones register, are activated through their outbox, log in and
            // are who /me says; refused ones are 400 InvalidEmail.
            foreach (var odd in Oddities)
            {
                var email = $"k{odd}{Guid.NewGuid():N}@example.com";
                // A display name is free text: bidirectional controls are refused there (D108), so it only carries the others.
                var displayName = odd.Any(OrleansLicensing.Contracts.InputLimits.IsBidiControl) ? "X" : odd;
                var created = await api.SendAsync(HttpMethod.Post, "/api/v1/accounts", new { email, password = "correct horse battery", displayName, language = "en" });
                await AssertNoServerError(created);
                if (created.StatusCode == HttpStatusCode.Created)
                {
                    accounts.Add((email, "correct horse battery"));
                    await api.ActivateAsync(email);
                    var again = await api.SendAsync(HttpMethod.Post, "/api/v1/accounts", new { email, password = "another password", displayName = "X" });
                    await Api.AssertProblem(again, HttpStatusCode.Conflict, "AccountExists");
                }
                else
                {
                    await Api.AssertProblem(created, HttpStatusCode.BadRequest, "InvalidEmail");
                }
            }

            Assert.Contains(accounts, a => a.Email.Contains('{', StringComparison.Ordinal));
            Assert.Contains(accounts, a => a.Email.Contains('}', StringComparison.Ordinal));
            Assert.Contains(accounts, a => a.Email.Contains('%', StringComparison.Ordinal));
            token = await LoginAsync(api, accounts.First(a => a.Email.Contains("{0}", StringComparison.Ordinal)));
            (companyId, projectId) = await api.CreateCompanyAsync(token, "Acme {0} %s");

            // Order numbers: hardware registered under each; the order's devices are added by order number.
            foreach (var odd in Oddities)
            {
                var order = $"SO-{odd}-{Guid.NewGuid():N}";
                if (odd.Any(OrleansLicensing.Contracts.InputLimits.IsBidiControl))
                {
                    // An order number is free text too: a bidirectional control is refused, nothing registered (D108).
                    var refused = await api.SendAsync(HttpMethod.Post, "/api/v1/vendor/hardware",
                        new { devices = new[] { new { mac = Api.NewMacSuffix(), deviceType = "IP6000", orderNumber = order, shipDate = "2026-11-01" } } }, LicensingApp.VendorKey);
                    await Api.AssertProblem(refused, HttpStatusCode.BadRequest, "UnsafeText");
                    continue;
                }

                orders.Add(order);
                var (mac, _) = await api.RegisterHardwareAsync(Api.NewMacSuffix(), orderNumber: order);
                var added = await api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{companyId}/projects/{projectId}/devices", new { orderNumber = order }, token);
                await AssertNoServerError(added);
                Assert.Equal(HttpStatusCode.OK, added.StatusCode);
                var result = Assert.Single((await Api.Json(added))["results"]!.AsArray());
                Assert.Equal((mac, "added"), (result!["mac"]!.GetValue<string>(), result["status"]!.GetValue<string>()));
            }

            // Idempotency keys (printable ASCII) with format characters: the retry answers the first result.
            foreach (var odd in Oddities.Where(o => o.All(c => c is > ' ' and <= '~')))
            {
                var key = $"idem-{odd}-{Guid.NewGuid():N}";
                var first = await MintAsync(api, key);
                var retry = await MintAsync(api, key);
                Assert.Equal(HttpStatusCode.Created, first.StatusCode);
                Assert.Equal((await Api.Json(first))["key"]!.GetValue<string>(), (await Api.Json(retry))["key"]!.GetValue<string>());
            }

            // Key codes and ids in paths cannot name anything: 404 (or 400 for a MAC), never 5xx.
            foreach (var odd in Oddities)
            {
                var segment = Uri.EscapeDataString(odd);
                await AssertNoServerError(await api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{companyId}/projects/{projectId}/activations", new { key = odd }, token), HttpStatusCode.NotFound);
                await AssertNoServerError(await api.SendAsync(HttpMethod.Patch, $"/api/v1/companies/{companyId}/projects/{projectId}/own-keys/{segment}", new { licenses = new Dictionary<string, int> { ["PBX-Port8*20"] = 1 } }, token), HttpStatusCode.NotFound);
                await AssertNoServerError(await api.SendAsync(HttpMethod.Delete, $"/api/v1/companies/{companyId}/projects/{projectId}/own-keys/{segment}", null, token), HttpStatusCode.NotFound);
                await AssertNoServerError(await api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{segment}/projects", null, token), HttpStatusCode.NotFound);
                await AssertNoServerError(await api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{companyId}/projects/{segment}/balance", null, token), HttpStatusCode.NotFound);
                await AssertNoServerError(await api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{companyId}/devices/{segment}", null, token), HttpStatusCode.BadRequest);
                await AssertNoServerError(await api.SendAsync(HttpMethod.Post, "/api/v1/auth/token", new { email = $"{odd}@example.com", password = "whatever it is" }), HttpStatusCode.Unauthorized);
            }
        }

        // After a restart every row is read back under the same key.
        await using (var app = new LicensingApp("Sqlite", _directory))
        {
            var api = new Api(app.CreateClient());
            foreach (var account in accounts)
            {
                var me = await api.SendAsync(HttpMethod.Get, "/api/v1/me", null, await LoginAsync(api, account));
                Assert.Equal(account.Email.ToLowerInvariant(), (await Api.Json(me))["email"]!.GetValue<string>());
            }

            token = await LoginAsync(api, accounts.First(a => a.Email.Contains("{0}", StringComparison.Ordinal)));
            var devices = await Api.Json(await api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{companyId}/projects/{projectId}/devices", null, token));
            Assert.Equal(orders.Count, devices.AsArray().Count);
            foreach (var order in orders)
            {
                // Every device of the order is already in this project: per-device results, not a missing order.
                var again = await api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{companyId}/projects/{projectId}/devices", new { orderNumber = order }, token);
                Assert.Equal(HttpStatusCode.OK, again.StatusCode);
                Assert.Single((await Api.Json(again))["results"]!.AsArray());
            }
        }
    }

    [Fact]
    public async Task A_refused_registration_leaves_nothing_behind()
    {
        await using var app = new LicensingApp("Sqlite", _directory);
        var api = new Api(app.CreateClient());
        var email = $"k{{0}}{Guid.NewGuid():N}@example.com";

        // Refused for its password: the e-mail stays free.
        await Api.AssertProblem(await api.SendAsync(HttpMethod.Post, "/api/v1/accounts", new { email, password = "short", displayName = "X" }), HttpStatusCode.BadRequest, "ValidationFailed");
        await Api.AssertProblem(await api.SendAsync(HttpMethod.Post, "/api/v1/auth/token", new { email, password = "short" }), HttpStatusCode.Unauthorized, "Unauthorized");
        await api.RegisterAndLoginAsync(email);

        // A batch with one bad device registers none of them, braces in the order number or not.
        var order = $"SO-{{1}}-{Guid.NewGuid():N}";
        var good = Api.NewMacSuffix();
        var batch = new { devices = new object[] { new { mac = good, deviceType = "IP800", orderNumber = order, shipDate = "2026-01-01" }, new { mac = "zz", deviceType = "IP800", orderNumber = order, shipDate = "2026-01-01" } } };
        await Api.AssertProblem(await api.SendAsync(HttpMethod.Post, "/api/v1/vendor/hardware", batch, LicensingApp.VendorKey), HttpStatusCode.BadRequest, "InvalidMac");
        var token = await api.RegisterAndLoginAsync();
        var (companyId, projectId) = await api.CreateCompanyAsync(token);
        await Api.AssertProblem(await api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{companyId}/projects/{projectId}/devices", new { orderNumber = order }, token), HttpStatusCode.NotFound, "NotFound");
        await api.RegisterHardwareAsync(good, "IP800", order);
    }

    private static async Task<string> LoginAsync(Api api, (string Email, string Password) account)
    {
        var response = await api.SendAsync(HttpMethod.Post, "/api/v1/auth/token", new { email = account.Email, password = account.Password });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await Api.Json(response))["accessToken"]!.GetValue<string>();
    }

    private static Task<HttpResponseMessage> MintAsync(Api api, string idempotencyKey)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/vendor/activation-keys")
        {
            Content = JsonContent.Create(new { licenses = new Dictionary<string, int> { ["PBX-Port8*20"] = 1 }, orderNumber = "SO-{0}-%s" }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", LicensingApp.VendorKey);
        request.Headers.TryAddWithoutValidation("Idempotency-Key", idempotencyKey);
        return api.Http.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private static async Task AssertNoServerError(HttpResponseMessage response, HttpStatusCode? expected = null)
    {
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True((int)response.StatusCode < 500, $"{(int)response.StatusCode} for {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {body}");
        Assert.Null(ProblemBodies.Check((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, body));
        if (expected is { } status)
        {
            Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode} for {response.RequestMessage?.RequestUri}: {body}");
        }
    }
}
