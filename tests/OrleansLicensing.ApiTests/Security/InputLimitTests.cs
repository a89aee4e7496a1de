using System.Net;
using System.Net.Http.Json;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using OrleansLicensing.Contracts;

namespace OrleansLicensing.ApiTests.Security;

/// <summary>
/// Issue 13, input limits in one place: every constant of <see cref="InputLimits"/> is driven over
/// HTTP just at its limit (not refused for it) and just beyond (refused with its documented status,
/// code and a detail naming the limit), and is listed in docs/security.md.
/// </summary>
public sealed class InputLimitTests(SharedApp shared) : IClassFixture<SharedApp>
{
    private const string Port8 = "PBX-Port8*20";
    private const string Relay = "Relay-PRI";

    private readonly Api _api = new(shared.App.CreateClient());

    /// <summary>
    /// One limit: <paramref name="Send"/> sends a request whose measured part has the given size;
    /// beyond the limit it is refused with <paramref name="Status"/>, <paramref name="Code"/> and a
    /// detail containing <paramref name="Detail"/>; at the limit it is not (and, when
    /// <paramref name="AtSucceeds"/>, succeeds). <paramref name="Minimum"/> limits are exceeded downwards.
    /// </summary>
    private sealed record Limit(
        string Name,
        long Value,
        Func<Tenant, long, Task<HttpResponseMessage>> Send,
        HttpStatusCode Status,
        string Code,
        string Detail,
        bool AtSucceeds,
        bool Minimum = false);

    /// <summary>A company with units, a device and a device with a certificate key; the requests of the table.</summary>
    private sealed record Tenant(HttpClient Http, string Token, string CompanyId, string ProjectId, string Mac, string CertifiedMac, ECDsa DeviceKey)
    {
        public string Path => $"/api/v1/companies/{CompanyId}";

        public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? body, (string Name, string Value)? header = null) =>
            Send(method, path, body is null ? null : JsonContent.Create(body), "Bearer " + Token, header);

        public Task<HttpResponseMessage> RawAsync(string path, string json) =>
            Send(HttpMethod.Post, path, new StringContent(json, Encoding.UTF8, "application/json"), "Bearer " + Token, null);

        public Task<HttpResponseMessage> VendorAsync(string path, object body) =>
            Send(HttpMethod.Post, path, JsonContent.Create(body), "Bearer " + LicensingApp.VendorKey, null);

        public Task<HttpResponseMessage> RegisterAsync(string email, string password) =>
            Send(HttpMethod.Post, "/api/v1/accounts", JsonContent.Create(new { email, password, displayName = "Limits", language = "en" }), null, null);

        public Task<HttpResponseMessage> QuoteAsync(object[] lots) =>
            Send(HttpMethod.Post, "/api/v1/ssc/quote", JsonContent.Create(new { calculationDate = "2026-01-01", endDate = "2027-01-01", lots }), null, null);

        /// <summary>The device claims itself for this company (R-D2) with a secret of the given form.</summary>
        public Task<HttpResponseMessage> ClaimAsync(string secret)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/device/claim") { Content = JsonContent.Create(new { companyId = CompanyId }) };
            request.Headers.Add("X-Device-Mac", Mac);
            request.Headers.Add("X-Device-Secret", secret);
            return Http.SendAsync(request, TestContext.Current.CancellationToken);
        }

        private Task<HttpResponseMessage> Send(HttpMethod method, string path, HttpContent? content, string? authorization, (string Name, string Value)? header)
        {
            var request = new HttpRequestMessage(method, path) { Content = content };
            if (authorization is not null)
            {
                request.Headers.TryAddWithoutValidation("Authorization", authorization);
            }

            if (header is { } extra)
            {
                request.Headers.TryAddWithoutValidation(extra.Name, extra.Value);
            }

            return Http.SendAsync(request, TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task Every_input_limit_is_refused_just_beyond_it_with_its_documented_code_and_accepted_at_it()
    {
        var tenant = await TenantAsync();
        var failures = new List<string>();
        foreach (var limit in Limits())
        {
            var beyond = limit.Minimum ? limit.Value - 1 : limit.Value + 1;
            var refused = await limit.Send(tenant, beyond);
            var refusedBody = await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            var problem = JsonNode.Parse(refusedBody.Length == 0 ? "{}" : refusedBody) as JsonObject;
            if (refused.StatusCode != limit.Status
                || refused.Content.Headers.ContentType?.MediaType != "application/problem+json"
                || problem?["code"]?.GetValue<string>() != limit.Code
                || problem["detail"]?.GetValue<string>().Contains(limit.Detail, StringComparison.Ordinal) != true)
            {
                failures.Add($"{limit.Name} beyond ({beyond}): {(int)refused.StatusCode} {Shorten(refusedBody)}");
            }

            var at = await limit.Send(tenant, limit.Value);
            var atBody = await at.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            var refusedForTheLimit = at.StatusCode == limit.Status && atBody.Contains($"\"code\":\"{limit.Code}\"", StringComparison.Ordinal) && atBody.Contains(limit.Detail, StringComparison.Ordinal);
            if (refusedForTheLimit || (limit.AtSucceeds && !at.IsSuccessStatusCode) || (int)at.StatusCode >= 500)
            {
                failures.Add($"{limit.Name} at ({limit.Value}): {(int)at.StatusCode} {Shorten(atBody)}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void Every_constant_of_InputLimits_is_driven_by_the_table_and_listed_in_security_md()
    {
        var constants = Constants(typeof(InputLimits), string.Empty).ToDictionary(c => c.Name, c => c.Value);
        var driven = Limits().ToDictionary(l => l.Name, l => l.Value);
        Assert.Equal(constants.Keys.Order(StringComparer.Ordinal), driven.Keys.Order(StringComparer.Ordinal));
        Assert.All(constants, c => Assert.Equal(c.Value, driven[c.Key]));

        var security = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "security.md"));
        var missing = constants.Keys.Where(name => !security.Contains($"`InputLimits.{name}`", StringComparison.Ordinal)).ToList();
        Assert.True(missing.Count == 0, "not in the input limits table of docs/security.md: " + string.Join(", ", missing));
    }

    [Theory]
    [InlineData("\u202E")]
    [InlineData("\u2066")]
    [InlineData("\u200F")]
    public async Task Free_text_with_a_bidirectional_control_is_refused_with_UnsafeText_and_changes_nothing(string control)
    {
        var tenant = await TenantAsync();
        var name = "Trojan " + control + "txt.exe";
        var projects = await _api.SendAsync(HttpMethod.Get, $"{tenant.Path}/projects", null, tenant.Token);
        var before = await projects.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        foreach (var (method, path, body) in new (HttpMethod, string, object)[]
        {
            (HttpMethod.Post, "/api/v1/companies", new { name }),
            (HttpMethod.Patch, tenant.Path, new { city = name }),
            (HttpMethod.Post, $"{tenant.Path}/projects", new { name }),
            (HttpMethod.Patch, $"{tenant.Path}/projects/{tenant.ProjectId}", new { description = name }),
            (HttpMethod.Patch, $"{tenant.Path}/devices/{tenant.Mac}", new { comment = name }),
            (HttpMethod.Post, $"{tenant.Path}/api-keys", new { name, rights = Array.Empty<string>() }),
            (HttpMethod.Patch, "/api/v1/me", new { currentPassword = Api.Password, displayName = name }),
        })
        {
            var response = await _api.SendAsync(method, path, body, tenant.Token);
            var problem = await Api.AssertProblem(response, HttpStatusCode.BadRequest, "UnsafeText");
            Assert.Contains($"U+{(int)control[0]:X4}", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        }

        Assert.Equal(before, await (await _api.SendAsync(HttpMethod.Get, $"{tenant.Path}/projects", null, tenant.Token)).Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.DoesNotContain(control, (await Api.Json(await _api.SendAsync(HttpMethod.Get, tenant.Path, null, tenant.Token))).ToJsonString(), StringComparison.Ordinal);
        Assert.Empty((await Api.Json(await _api.SendAsync(HttpMethod.Get, $"{tenant.Path}/api-keys", null, tenant.Token))).AsArray());
    }

    private static IEnumerable<Limit> Limits()
    {
        const HttpStatusCode Bad = HttpStatusCode.BadRequest;
        const string Invalid = "ValidationFailed";
        static string AtMost(long n) => $"at most {n} printable characters";

        // The request's shape.
        yield return new("DefaultMaxRequestBodyBytes", InputLimits.DefaultMaxRequestBodyBytes, (t, n) => t.RawAsync($"{t.Path}/projects", Padded($"{{\"name\":\"{Unique(20)}\",\"pad\":\"", (int)n, "\"}")), HttpStatusCode.RequestEntityTooLarge, "PayloadTooLarge", $"{InputLimits.DefaultMaxRequestBodyBytes} bytes", AtSucceeds: true);
        yield return new("DefaultMaxJsonDepth", InputLimits.DefaultMaxJsonDepth, (t, n) => t.RawAsync($"{t.Path}/projects", $"{{\"name\":\"{Unique(20)}\",\"pad\":{new string('[', (int)n - 1)}{new string(']', (int)n - 1)}}}"), Bad, Invalid, "too deeply", AtSucceeds: true);

        // Text, one field each.
        yield return new("Text.CompanyName", InputLimits.Text.CompanyName, (t, n) => t.SendAsync(HttpMethod.Post, "/api/v1/companies", new { name = Unique(n) }), Bad, Invalid, AtMost(InputLimits.Text.CompanyName), AtSucceeds: true);
        foreach (var (name, value) in new[] { ("Street", InputLimits.Text.Street), ("PostalCode", InputLimits.Text.PostalCode), ("City", InputLimits.Text.City), ("Country", InputLimits.Text.Country), ("Phone", InputLimits.Text.Phone) })
        {
            var field = char.ToLowerInvariant(name[0]) + name[1..];
            yield return new($"Text.{name}", value, (t, n) => t.SendAsync(HttpMethod.Patch, t.Path, new Dictionary<string, string> { [field] = Unique(n) }), Bad, Invalid, AtMost(value), AtSucceeds: true);
        }

        yield return new("Text.ProjectName", InputLimits.Text.ProjectName, (t, n) => t.SendAsync(HttpMethod.Post, $"{t.Path}/projects", new { name = Unique(n) }), Bad, Invalid, AtMost(InputLimits.Text.ProjectName), AtSucceeds: true);
        yield return new("Text.ProjectDescription", InputLimits.Text.ProjectDescription, (t, n) => t.SendAsync(HttpMethod.Patch, $"{t.Path}/projects/{t.ProjectId}", new { description = Unique(n) }), Bad, Invalid, AtMost(InputLimits.Text.ProjectDescription), AtSucceeds: true);
        yield return new("Text.DisplayName", InputLimits.Text.DisplayName, (t, n) => t.SendAsync(HttpMethod.Patch, "/api/v1/me", new { currentPassword = Api.Password, displayName = Unique(n) }), Bad, Invalid, AtMost(InputLimits.Text.DisplayName), AtSucceeds: true);
        yield return new("Text.ApiKeyName", InputLimits.Text.ApiKeyName, (t, n) => t.SendAsync(HttpMethod.Post, $"{t.Path}/api-keys", new { name = Unique(n), rights = Array.Empty<string>() }), Bad, Invalid, AtMost(InputLimits.Text.ApiKeyName), AtSucceeds: true);
        yield return new("Text.DeviceName", InputLimits.Text.DeviceName, (t, n) => t.SendAsync(HttpMethod.Patch, $"{t.Path}/devices/{t.Mac}", new { name = Unique(n) }), Bad, Invalid, AtMost(InputLimits.Text.DeviceName), AtSucceeds: true);
        yield return new("Text.DeviceComment", InputLimits.Text.DeviceComment, (t, n) => t.SendAsync(HttpMethod.Patch, $"{t.Path}/devices/{t.Mac}", new { comment = Unique(n) }), Bad, Invalid, AtMost(InputLimits.Text.DeviceComment), AtSucceeds: true);
        yield return new("Text.KeyComment", InputLimits.Text.KeyComment, (t, n) => t.SendAsync(HttpMethod.Post, $"{t.Path}/projects/{t.ProjectId}/own-keys", new { licenses = new Dictionary<string, int> { [Relay] = 1 }, comment = Unique(n) }), Bad, Invalid, AtMost(InputLimits.Text.KeyComment), AtSucceeds: true);
        yield return new("Text.OrderNumber", InputLimits.Text.OrderNumber, (t, n) => t.VendorAsync("/api/v1/vendor/activation-keys", new { licenses = new Dictionary<string, int> { [Port8] = 1 }, orderNumber = Unique(n) }), Bad, Invalid, AtMost(InputLimits.Text.OrderNumber), AtSucceeds: true);
        yield return new("Text.OrderReference", InputLimits.Text.OrderReference, (t, n) => t.SendAsync(HttpMethod.Post, $"{t.Path}/projects/{t.ProjectId}/own-keys", new { licenses = new Dictionary<string, int> { [Relay] = 1 }, orderReference = Unique(n) }), Bad, Invalid, AtMost(InputLimits.Text.OrderReference), AtSucceeds: true);
        yield return new("Text.DeviceType", InputLimits.Text.DeviceType, (t, n) => t.VendorAsync("/api/v1/vendor/hardware", new { devices = new[] { Hardware(Unique(n)) } }), Bad, Invalid, AtMost(InputLimits.Text.DeviceType), AtSucceeds: false);
        yield return new("Text.LicenseType", InputLimits.Text.LicenseType, (t, n) => t.QuoteAsync([Lot(Unique(n), "V13")]), Bad, Invalid, AtMost(InputLimits.Text.LicenseType), AtSucceeds: false);
        yield return new("Text.Version", InputLimits.Text.Version, (t, n) => t.QuoteAsync([Lot(Port8, "V" + new string('9', (int)n - 1))]), Bad, Invalid, AtMost(InputLimits.Text.Version), AtSucceeds: false);
        yield return new("Text.LotId", InputLimits.Text.LotId, (t, n) => t.SendAsync(HttpMethod.Post, $"{t.Path}/projects/{t.ProjectId}/free-licenses/convert", new { lotIds = new[] { Unique(n) } }), Bad, Invalid, AtMost(InputLimits.Text.LotId), AtSucceeds: false);
        yield return new("Text.CertificatePublicKey", InputLimits.Text.CertificatePublicKey, (t, n) => t.VendorAsync("/api/v1/vendor/hardware", new { devices = new[] { Hardware("IP6000", Unique(n)) } }), Bad, Invalid, AtMost(InputLimits.Text.CertificatePublicKey), AtSucceeds: false);
        yield return new("Text.DeviceSecret", InputLimits.Text.DeviceSecret, (t, n) => t.SendAsync(HttpMethod.Post, $"{t.Path}/projects/{t.ProjectId}/devices", new { devices = new[] { new { mac = Api.NewMacSuffix(), deviceSecret = Unique(n) } } }), Bad, Invalid, AtMost(InputLimits.Text.DeviceSecret), AtSucceeds: true);
        yield return new("Text.ClaimSecret", InputLimits.Text.ClaimSecret, (t, n) => t.ClaimAsync(Unique(n)), Bad, Invalid, AtMost(InputLimits.Text.ClaimSecret), AtSucceeds: false);
        yield return new("Text.InvalidationDocument", InputLimits.Text.InvalidationDocument, (t, n) => t.SendAsync(HttpMethod.Post, $"{t.Path}/devices/{t.CertifiedMac}/invalidation", new { document = Unique(n) }), Bad, Invalid, $"1 to {InputLimits.Text.InvalidationDocument} characters", AtSucceeds: false);
        yield return new("Text.Email", InputLimits.Text.Email, (t, n) => t.RegisterAsync(EmailOfLength((int)n), Api.Password), Bad, "InvalidEmail", string.Empty, AtSucceeds: true);
        yield return new("Text.PasswordMin", InputLimits.Text.PasswordMin, (t, n) => t.RegisterAsync(Api.NewEmail(), new string('p', (int)n)), Bad, Invalid, $"{InputLimits.Text.PasswordMin} to {InputLimits.Text.PasswordMax} characters", AtSucceeds: true, Minimum: true);
        yield return new("Text.PasswordMax", InputLimits.Text.PasswordMax, (t, n) => t.RegisterAsync(Api.NewEmail(), new string('p', (int)n)), Bad, Invalid, $"{InputLimits.Text.PasswordMin} to {InputLimits.Text.PasswordMax} characters", AtSucceeds: true);
        yield return new("Text.IdempotencyKey", InputLimits.Text.IdempotencyKey, (t, n) => t.SendAsync(HttpMethod.Post, $"{t.Path}/projects", new { name = Unique(20) }, ("Idempotency-Key", Unique(n))), Bad, Invalid, $"1 to {InputLimits.Text.IdempotencyKey} printable ASCII", AtSucceeds: true);
        yield return new("Text.SearchQuery", InputLimits.Text.SearchQuery, (t, n) => t.SendAsync(HttpMethod.Get, $"{t.Path}/search?q={Unique(n)}", null), Bad, Invalid, $"at most {InputLimits.Text.SearchQuery} characters", AtSucceeds: true);
        yield return new("Text.HistoryCursor", InputLimits.Text.HistoryCursor, (t, n) => t.SendAsync(HttpMethod.Get, $"{t.Path}/history?cursor={Unique(n)}", null), Bad, Invalid, $"at most {InputLimits.Text.HistoryCursor} characters", AtSucceeds: false);

        // Collections.
        yield return new("Items.DevicesPerAdd", InputLimits.Items.DevicesPerAdd, (t, n) => t.SendAsync(HttpMethod.Post, $"{t.Path}/projects/{t.ProjectId}/devices", new { macs = Macs(n) }), Bad, "TooManyDevices", $"At most {InputLimits.Items.DevicesPerAdd} devices", AtSucceeds: true);
        yield return new("Items.DevicesPerMove", InputLimits.Items.DevicesPerMove, (t, n) => t.SendAsync(HttpMethod.Post, $"{t.Path}/projects/{t.ProjectId}/devices/move", new { macs = Macs(n), dryRun = true }), Bad, "TooManyDevices", $"At most {InputLimits.Items.DevicesPerMove} devices", AtSucceeds: false);
        yield return new("Items.HardwarePerRegistration", InputLimits.Items.HardwarePerRegistration, (t, n) => t.VendorAsync("/api/v1/vendor/hardware", new { devices = Enumerable.Range(0, (int)n).Select(_ => Hardware("NoSuchType")).ToArray() }), Bad, Invalid, $"1 to {InputLimits.Items.HardwarePerRegistration} devices", AtSucceeds: false);
        yield return new("Items.FreePoolLots", InputLimits.Items.FreePoolLots, (t, n) => t.SendAsync(HttpMethod.Post, $"{t.Path}/projects/{t.ProjectId}/free-licenses/convert", new { lotIds = Ids(n) }), Bad, Invalid, $"1 to {InputLimits.Items.FreePoolLots} lots", AtSucceeds: false);
        yield return new("Items.QuoteLots", InputLimits.Items.QuoteLots, (t, n) => t.QuoteAsync([.. Enumerable.Range(0, (int)n).Select(_ => Lot(Port8, "V13"))]), Bad, Invalid, $"1 to {InputLimits.Items.QuoteLots} lots", AtSucceeds: true);
        yield return new("Items.ExcludedLots", InputLimits.Items.ExcludedLots, (t, n) => t.SendAsync(HttpMethod.Put, $"{t.Path}/projects/{t.ProjectId}/ssa", new { endDate = "2030-01-01", dryRun = true, excludedLots = Ids(n) }), Bad, Invalid, $"at most {InputLimits.Items.ExcludedLots} lots", AtSucceeds: false);
        yield return new("Items.InvalidationLots", InputLimits.Items.InvalidationLots, (t, n) => t.SendAsync(HttpMethod.Post, $"{t.Path}/devices/{t.CertifiedMac}/invalidation", new { document = LicenseFileTools.Invalidation(t.DeviceKey, t.CertifiedMac, 1, false, Ids(n)) }), Bad, Invalid, $"1 to {InputLimits.Items.InvalidationLots} distinct", AtSucceeds: false);

        // Unit ranges.
        yield return new("Units.PerEntry", InputLimits.Units.PerEntry, (t, n) => t.VendorAsync("/api/v1/vendor/activation-keys", new { licenses = new Dictionary<string, long> { [Port8] = n } }), Bad, "InvalidUnits", $"{InputLimits.Units.PerEntry}", AtSucceeds: true);
        yield return new("Units.TestLicensePbx", InputLimits.Units.TestLicensePbx, (t, n) => t.SendAsync(HttpMethod.Post, $"{t.Path}/devices/{t.Mac}/test-license", new { version = "V13", pbxUnits = n }), Bad, "InvalidUnits", $"1 to {InputLimits.Units.TestLicensePbx}", AtSucceeds: false);
        yield return new("Units.WishedPorts", InputLimits.Units.WishedPorts, (t, n) => t.SendAsync(HttpMethod.Post, $"{t.Path}/devices/{t.Mac}/licenses", new { version = "V13", wishedPorts = n, dryRun = true }), Bad, "InvalidUnits", $"between 1 and {InputLimits.Units.WishedPorts}", AtSucceeds: false);

        // The refusals only the limit explains: fresh values, so no retry, name clash or idempotency answers in between.
        static string Unique(long length)
        {
            var text = "L" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
            return length <= text.Length ? text[..(int)length] : text + new string('a', (int)length - text.Length);
        }

        static string[] Ids(long count) => [.. Enumerable.Range(0, (int)count).Select(i => $"lot-{i}-{Unique(10)}")];

        static string[] Macs(long count) => [.. Enumerable.Range(0, (int)count).Select(_ => Api.NewMacSuffix())];

        static object Hardware(string deviceType, string? certificatePublicKey = null) =>
            new { mac = Api.NewMacSuffix(), deviceType, orderNumber = "SO-LIMITS", shipDate = "2026-01-01", certificatePublicKey };

        static object Lot(string type, string version) => new { type, units = 1, version, bindDate = "2025-01-01" };
    }

    private async Task<Tenant> TenantAsync()
    {
        var token = await _api.RegisterAndLoginAsync();
        var (companyId, projectId) = await _api.CreateCompanyAsync(token, "Limits");
        var key = await _api.MintKeyAsync(new Dictionary<string, int> { [Relay] = 200, [Port8] = 2 });
        Assert.Equal(HttpStatusCode.Created, (await _api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{companyId}/projects/{projectId}/activations", new { key }, token)).StatusCode);
        var (mac, _) = await _api.RegisterHardwareAsync(Api.NewMacSuffix());
        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{companyId}/projects/{projectId}/devices", new { macs = new[] { mac } }, token)).StatusCode);
        var deviceKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var company = new DeviceCompany(_api, token, companyId, projectId);
        var (certifiedMac, _) = await LicenseFileTools.DeviceWithCertificateAsync(company, deviceKey);
        return new Tenant(shared.App.CreateClient(), token, companyId, projectId, mac, certifiedMac, deviceKey);
    }

    private static string Shorten(string body) => body.Length > 300 ? body[..300] + "…" : body;

    private static string Padded(string head, int length, string tail) =>
        head + new string('x', length - Encoding.UTF8.GetByteCount(head) - Encoding.UTF8.GetByteCount(tail)) + tail;

    /// <summary>An address of exactly <paramref name="length"/> characters: a short unique local part, then 60-letter labels.</summary>
    private static string EmailOfLength(int length)
    {
        var local = "u" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var domain = new StringBuilder("example.com");
        while (local.Length + 1 + domain.Length < length)
        {
            var label = Math.Min(60, length - local.Length - 1 - domain.Length - 1);
            domain.Insert(0, label > 0 ? new string('d', label) + "." : string.Empty);
            if (label <= 0)
            {
                local += "x";
            }
        }

        return $"{local}@{domain}";
    }

    private static IEnumerable<(string Name, long Value)> Constants(Type type, string prefix)
    {
        foreach (var field in type.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral))
        {
            yield return (prefix + field.Name, Convert.ToInt64(field.GetRawConstantValue(), System.Globalization.CultureInfo.InvariantCulture));
        }

        foreach (var nested in type.GetNestedTypes(BindingFlags.Public))
        {
            foreach (var constant in Constants(nested, $"{prefix}{nested.Name}."))
            {
                yield return constant;
            }
        }
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "OrleansLicensing.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("The repository root was not found.");
    }
}
