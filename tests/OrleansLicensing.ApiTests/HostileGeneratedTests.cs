using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OrleansLicensing.Contracts;

namespace OrleansLicensing.ApiTests;

/// <summary>
/// A hostile client generated from the app's own OpenAPI document: for every operation, wrong
/// JSON types for each body member, nulls, missing required members, overlong and format-character
/// strings, malformed bodies, bad path segments, bad and oversized headers — sent with the right
/// kind of credential so they get past authentication, to a real Kestrel listener. Every answer
/// is below 500, every 4xx is problem+json with a code and a trace id, no body names a .NET type,
/// namespace or stack frame.
/// </summary>
/// <remarks>
/// Driven by the document, so a new route is attacked as soon as it is mapped. The requests fall
/// in three groups. (a) Refused: every mutating request and every read with a hostile credential
/// or path — each answered 4xx, and together they change nothing (a fingerprint of the audit, the
/// tenants' companies, projects, balances, free pools, lots, devices, keys, users, API keys and
/// every history event, taken before and after). Their bodies carry <see cref="Refused"/> in
/// every string not under attack, so only the attack decides, and nothing legal slips through.
/// (b) Legal: odd free text (injection, traversal, format strings, non-ASCII) where free text is
/// allowed — sent one by one, each stored verbatim and read back as JSON, and the fingerprint
/// changed by exactly those entities and their history events. (c) Reads with an ignored hostile
/// header or query: answered, and part of (a)'s unchanged fingerprint.
/// </remarks>
public sealed class HostileGeneratedTests : IAsyncLifetime
{
    private const int MinimumRequests = 2000;

    /// <summary>A filler no text field accepts (a control character): a body around a member under attack can only fail.</summary>
    private const string Refused = "\u0001";

    /// <summary>
    /// The operations that take free text and nothing else a hostile string could fail: the odd
    /// strings are legal there (group b) when short enough for the shortest field and, for
    /// <c>BlankClears</c> ones, even when blank. Odd strings are sent to the other operations in (a).
    /// </summary>
    private static readonly (string Operation, int ShortestField, bool BlankClears)[] FreeTextOperations =
    [
        ("POST /api/v1/companies", InputLimits.Text.CompanyName, false),
        ("POST /api/v1/companies/{cid}/projects", InputLimits.Text.ProjectName, false),
        ("PATCH /api/v1/companies/{cid}", InputLimits.Text.PostalCode, false),
        ("PATCH /api/v1/companies/{cid}/projects/{pid}", InputLimits.Text.ProjectName, false),
        ("PATCH /api/v1/companies/{cid}/devices/{mac}", InputLimits.Text.DeviceName, true),
        ("POST /api/v1/companies/{cid}/devices/{mac}/rma", InputLimits.Text.DeviceComment, true),
    ];

    /// <summary>Strings an attacker tries in every field; none is NUL or a control character.</summary>
    private static readonly string[] OddStrings =
    [
        "{0}", "}{", "{", "%", "%s%n%d", "'; drop table licenses; --", "../../etc/passwd", "..\\..\\boot.ini",
        "<script>alert(1)</script>", "${jndi:ldap://x/a}", "ünïcödé 日本 🙂", "\u202egnp.exe", " ", "",
    ];

    private static readonly string[] OddPathSegments =
    [
        new string('a', 10_000), new string('b', 2_000), "a%2Fb", "%2E%2E%2F%2E%2E", "{0}", "%7B0%7D", "}{", "%25s%25n",
        "'%3B%20drop", "%C3%A9%E6%97%A5%F0%9F%99%82", "%00", "%FF%FE", "%0D%0A", "%20", "a%5Cb",
    ];

    private static readonly (string Name, string Value)[] OddHeaders =
    [
        ("Idempotency-Key", new string('k', 201)),
        ("Idempotency-Key", new string('k', 7_000)),
        ("Idempotency-Key", "a key with spaces"),
        ("Idempotency-Key", "{0}%s'\"\\"),
        ("Idempotency-Key", "é-ключ"),
        ("Idempotency-Key", "\u0001\u0002"),
        ("Idempotency-Key", new string('k', 40_000)),
        ("X-Device-Mac", "{0}"),
        ("X-Device-Mac", new string('0', 5_000)),
        ("X-Device-Mac", "00-90-33-zz-zz-zz"),
        ("X-Device-Mac", "é"),
        ("X-Device-Secret", new string('s', 9_000)),
        ("Content-Type", "application/json; charset=ebcdic"),
        ("Content-Type", "application/json; charset=\"utf-16\""),
        ("Content-Type", "application/json; charset="),
        ("Content-Type", "application/json;;;=;"),
        ("Content-Type", "application/jsonx"),
        ("Content-Type", "*/*"),
        ("Authorization", "Bearer {0}"),
    ];

    private KestrelNode _node = null!;
    private HttpClient _http = null!;
    private string _email = string.Empty;
    private string _token = string.Empty;
    private string _companyId = string.Empty;
    private string _projectId = string.Empty;
    private string _mac = string.Empty;
    private string _secret = string.Empty;
    private string _otherMac = string.Empty;
    private string _ownKey = string.Empty;
    private string _otherSecret = string.Empty;
    private string _otherTenantToken = string.Empty;
    private string _otherCompanyId = string.Empty;
    private string _otherProjectId = string.Empty;
    private string[] _rmaMacs = [];
    private string _otherTenantApiKey = string.Empty;
    private string _expiredToken = string.Empty;
    private JsonNode _document = null!;

    public async ValueTask InitializeAsync()
    {
        _node = KestrelNode.Start();
        _http = _node.CreateClient();
        var api = new Api(_http);
        _email = Api.NewEmail();
        _token = await api.RegisterAndLoginAsync(_email);
        (_companyId, _projectId) = await api.CreateCompanyAsync(_token);

        // Units in every kind of holder: a project balance, a device, an own key.
        var key = await api.MintKeyAsync(new Dictionary<string, int> { ["Relay-PRI"] = 6, ["PBX-Port8*20"] = 2 });
        Assert.Equal(HttpStatusCode.Created, (await api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{_companyId}/projects/{_projectId}/activations", new { key }, _token)).StatusCode);
        (_mac, _secret) = await api.RegisterHardwareAsync(Api.NewMacSuffix());
        (_otherMac, _otherSecret) = await api.RegisterHardwareAsync(Api.NewMacSuffix());
        Assert.Equal(HttpStatusCode.OK, (await api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{_companyId}/projects/{_projectId}/devices", new { macs = new[] { _mac, _otherMac } }, _token)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{_companyId}/devices/{_mac}/licenses", new { version = "V13", licenses = new Dictionary<string, int> { ["Relay-PRI"] = 4 } }, _token)).StatusCode);
        var ownKey = await api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{_companyId}/projects/{_projectId}/own-keys", new { licenses = new Dictionary<string, int> { ["Relay-PRI"] = 1 } }, _token);
        Assert.Equal(HttpStatusCode.Created, ownKey.StatusCode);
        _ownKey = (await Api.Json(ownKey))["key"]!.GetValue<string>();

        // Credentials of another tenant (its user and its API key), and an expired token of ours.
        _otherTenantToken = await api.RegisterAndLoginAsync();
        (_otherCompanyId, _otherProjectId) = await api.CreateCompanyAsync(_otherTenantToken, "Other tenant");
        (_, _otherTenantApiKey) = await Security.ApiKeyTests.CreateKeyAsync(api, _otherTenantToken, _otherCompanyId, "other tenant", ["CheckDeviceStatus", "MoveLicenses", "BuyOnCredit", "RequestCertificate"]);

        // One device per odd string for the legal RMA requests of group (b).
        var rmaMacs = new List<string>();
        foreach (var _ in OddStrings)
        {
            rmaMacs.Add((await api.RegisterHardwareAsync(Api.NewMacSuffix())).Mac);
        }

        _rmaMacs = [.. rmaMacs];
        Assert.Equal(HttpStatusCode.OK, (await api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{_companyId}/projects/{_projectId}/devices", new { macs = _rmaMacs }, _token)).StatusCode);
        _expiredToken = ExpiredToken(_email.ToLowerInvariant());

        _document = await Api.Json(await _http.GetAsync("/openapi/v1.json", TestContext.Current.CancellationToken));
    }

    /// <summary>A token signed with the node's own key whose lifetime ended an hour ago.</summary>
    private string ExpiredToken(string email)
    {
        var secret = _node.App.Services.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>()["Licensing:TokenSigningKey"]!;
        var key = new Microsoft.IdentityModel.Tokens.SymmetricSecurityKey(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(secret))) { KeyId = "default" };
        var now = DateTime.UtcNow;
        return new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler().CreateToken(new Microsoft.IdentityModel.Tokens.SecurityTokenDescriptor
        {
            Issuer = "orleans-licensing",
            Audience = "orleans-licensing-api",
            IssuedAt = now.AddHours(-2),
            NotBefore = now.AddHours(-2),
            Expires = now.AddHours(-1),
            Claims = new Dictionary<string, object> { ["sub"] = email, ["gen"] = 0 },
            SigningCredentials = new(key, "HS256"),
        });
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _node.DisposeAsync();
    }

    [Fact]
    public async Task Every_operation_survives_generated_hostile_requests_refused_ones_change_nothing_and_legal_free_text_is_stored_verbatim()
    {
        var ct = TestContext.Current.CancellationToken;
        var requests = Operations().SelectMany(Generate).ToList();
        var refused = requests.Count(r => !r.Read);
        Assert.True(refused >= MinimumRequests, $"only {refused} requests that must be refused generated");

        // (a) and (c): every answer sound, every (a) request refused, and nothing changed.
        var before = await FingerprintAsync(ct);
        var failures = new ConcurrentBag<string>();
        var statuses = new ConcurrentDictionary<string, ConcurrentBag<int>>();
        await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct }, async (hostile, token) =>
        {
            var (status, mediaType, body) = await SendAsync(hostile, token);
            statuses.GetOrAdd(hostile.Operation, _ => []).Add(status);
            var problem = status is 0 or >= 500 ? $"{status}: {ProblemBodies.Shorten(body)}"
                : !hostile.Read && status < 400 ? $"accepted with {status}: {ProblemBodies.Shorten(body)}"
                : ProblemBodies.Check(status, mediaType, body) ?? NamesTheField(hostile, status, body);
            if (problem is not null)
            {
                failures.Add($"{hostile.Operation} [{hostile.Attack}]: {problem}");
            }
        });
        var after = await FingerprintAsync(ct);

        Assert.True(failures.IsEmpty, $"{failures.Count} of {requests.Count} hostile requests failed:\n" + string.Join("\n", failures.Order(StringComparer.Ordinal).Take(40)));
        var changed = before.Keys.Union(after.Keys).Where(k => before.GetValueOrDefault(k) != after.GetValueOrDefault(k)).ToList();
        Assert.True(changed.Count == 0, "refused requests changed: " + string.Join(", ", changed));
        Assert.Contains(before, section => section.Key.EndsWith(":history", StringComparison.Ordinal) && section.Value.Length > 0);

        // The credentials were of the right kind: every operation answered something other than 401/403.
        var stuckAtAuth = statuses.Where(s => s.Value.All(code => code is 401 or 403)).Select(s => s.Key).ToList();
        Assert.True(stuckAtAuth.Count == 0, "never got past authentication: " + string.Join(", ", stuckAtAuth));

        // (b): odd but legal free text, one request at a time.
        var legal = await SendLegalFreeTextAsync(after, ct);
        TestContext.Current.TestOutputHelper?.WriteLine($"(a) {refused} refused requests, (c) {requests.Count - refused} reads with an ignored hostile header or query, over {statuses.Count} operations: " +
            string.Join(", ", statuses.SelectMany(s => s.Value).GroupBy(s => s).OrderBy(g => g.Key).Select(g => $"{g.Key}×{g.Count()}")));
        TestContext.Current.TestOutputHelper?.WriteLine($"(b) {legal} legal free-text requests stored verbatim");
    }

    /// <summary>
    /// Group (b): each odd string that is legal free text, in each free-text operation's body as the
    /// document describes it — accepted, read back identical through JSON, and the fingerprint
    /// changed by exactly the new companies and projects, the edited ones, and their events.
    /// </summary>
    private async Task<int> SendLegalFreeTextAsync(SortedDictionary<string, string> before, CancellationToken ct)
    {
        var operations = Operations().ToDictionary(o => o.Name);
        var historyBefore = (Ours: await HistoryAsync(_companyId, _token, ct), Other: await HistoryAsync(_otherCompanyId, _otherTenantToken, ct));
        var newCompanies = new List<string>();
        var newProjects = new List<string>();
        var expectedOurs = new List<string>();
        var expectedOther = new List<string>();
        var sent = 0;
        for (var i = 0; i < OddStrings.Length; i++)
        {
            var odd = OddStrings[i];
            foreach (var (name, _, _) in FreeTextOperations.Where(f => IsLegalFreeText(f.Operation, odd)))
            {
                var operation = operations[name];
                var body = Fill(operation.BodySchema!, odd)!.AsObject();
                var ours = $"/api/v1/companies/{_companyId}";
                (string path, string token, string? action) = name switch
                {
                    "POST /api/v1/companies" => ("/api/v1/companies", _token, null),
                    "POST /api/v1/companies/{cid}/projects" => ($"{ours}/projects", _token, "ProjectCreated"),
                    "PATCH /api/v1/companies/{cid}" => (ours, _token, "CompanyUpdated"),
                    "PATCH /api/v1/companies/{cid}/projects/{pid}" => ($"/api/v1/companies/{_otherCompanyId}/projects/{_otherProjectId}", _otherTenantToken, "ProjectUpdated"),
                    "PATCH /api/v1/companies/{cid}/devices/{mac}" => ($"{ours}/devices/{_otherMac}", _token, "DeviceUpdated"),
                    "POST /api/v1/companies/{cid}/devices/{mac}/rma" => ($"{ours}/devices/{_rmaMacs[i]}/rma", _token, "RmaRequested"),
                    _ => throw new InvalidOperationException($"No read-back for {name}."),
                };
                // An edit to what the entity holds already changes nothing and records nothing.
                var previous = operation.Method == "PATCH" ? (await GetAsync(path, token, ct)).ToJsonString() : null;
                using var request = new HttpRequestMessage(new HttpMethod(operation.Method), path) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                using var response = await _http.SendAsync(request, ct);
                var answer = await response.Content.ReadAsStringAsync(ct);
                Assert.True(response.IsSuccessStatusCode, $"{name} with '{Printable(odd)}': {(int)response.StatusCode} {ProblemBodies.Shorten(answer)}");
                sent++;

                var stored = name switch
                {
                    "POST /api/v1/companies" => await GetAsync($"/api/v1/companies/{Remember(newCompanies, answer, "companyId")}", token, ct),
                    "POST /api/v1/companies/{cid}/projects" => await GetAsync($"{ours}/projects/{Remember(newProjects, answer, "projectId")}", token, ct),
                    "POST /api/v1/companies/{cid}/devices/{mac}/rma" => (await GetAsync($"{ours}/rma", token, ct)).AsArray().Single(r => r!["mac"]!.GetValue<string>() == _rmaMacs[i])!,
                    _ => await GetAsync(path, token, ct),
                };
                foreach (var (member, value) in body.Where(m => m.Value is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String))
                {
                    var expected = string.IsNullOrWhiteSpace(odd) ? null : odd.Trim();
                    var actual = stored[member]?.GetValue<string>();
                    Assert.True(expected == (string.IsNullOrEmpty(actual) ? null : actual), $"{name} stored {member} '{Printable(actual ?? "null")}' for '{Printable(odd)}'");
                }

                if (action is not null && previous != stored.ToJsonString())
                {
                    (name.Contains("{pid}", StringComparison.Ordinal) ? expectedOther : expectedOurs).Add(action);
                }
            }
        }

        var after = await FingerprintAsync(ct);
        var ourHistory = (await HistoryAsync(_companyId, _token, ct)).Except(historyBefore.Ours).Select(Action).Order(StringComparer.Ordinal);
        var otherHistory = (await HistoryAsync(_otherCompanyId, _otherTenantToken, ct)).Except(historyBefore.Other).Select(Action).Order(StringComparer.Ordinal);
        Assert.Equal(expectedOurs.Order(StringComparer.Ordinal), ourHistory);
        Assert.Equal(expectedOther.Order(StringComparer.Ordinal), otherHistory);
        foreach (var company in newCompanies)
        {
            Assert.Equal(["CompanyCreated", "ProjectCreated"], (await HistoryAsync(company, _token, ct)).Select(Action).Order(StringComparer.Ordinal));
        }

        // Only what those requests touched changed; every section of a new project is new.
        string[] touched =
        [
            "ours:me", "ours:company", "ours:projects", "ours:history", "ours:rma", $"ours:device:{_otherMac}", .. _rmaMacs.Select(m => $"ours:device:{m}"),
            "other:projects", "other:history", $"other:project:{_otherProjectId}",
        ];
        Assert.Empty(before.Keys.Except(after.Keys));
        Assert.All(after.Keys.Except(before.Keys), key => Assert.Contains(newProjects, project => key.EndsWith(":" + project, StringComparison.Ordinal)));
        var changed = before.Keys.Where(k => before[k] != after[k]).ToList();
        Assert.True(changed.All(touched.Contains), "changed beyond the legal requests: " + string.Join(", ", changed.Except(touched)));
        Assert.Equal(
            JsonNode.Parse(before["ours:me"])!["companyIds"]!.AsArray().Select(c => c!.GetValue<string>()).Concat(newCompanies).Order(StringComparer.Ordinal),
            JsonNode.Parse(after["ours:me"])!["companyIds"]!.AsArray().Select(c => c!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.Equal(
            ProjectIds(before["ours:projects"]).Concat(newProjects).Order(StringComparer.Ordinal),
            ProjectIds(after["ours:projects"]).Order(StringComparer.Ordinal));
        return sent;

        static string Remember(List<string> ids, string answer, string member)
        {
            var id = JsonNode.Parse(answer)![member]!.GetValue<string>();
            ids.Add(id);
            return id;
        }

        static string Action(string historyEvent) => JsonNode.Parse(historyEvent)!["action"]!.GetValue<string>();

        static IEnumerable<string> ProjectIds(string projects) => JsonNode.Parse(projects)!.AsArray().Select(p => p!["projectId"]!.GetValue<string>());
    }

    /// <summary>Whether <paramref name="odd"/> is legal in every free-text field of <paramref name="operation"/> (group b).</summary>
    private static bool IsLegalFreeText(string operation, string odd) =>
        FreeTextOperations.FirstOrDefault(f => f.Operation == operation) is { Operation: not null } free
        && !odd.Any(InputLimits.IsBidiControl)
        && (free.BlankClears || !string.IsNullOrWhiteSpace(odd))
        && odd.Trim().Length <= free.ShortestField;

    private sealed record Operation(string Method, string Template, JsonNode Node, JsonNode? BodySchema, string Credential)
    {
        public string Name => $"{Method} {Template}";

        public bool IsSafe => Method is "GET" or "HEAD";

        public IEnumerable<string> PathParameters => (Node["parameters"]?.AsArray() ?? []).Where(p => p!["in"]?.GetValue<string>() == "path").Select(p => p!["name"]!.GetValue<string>());

        public IEnumerable<string> QueryParameters => (Node["parameters"]?.AsArray() ?? []).Where(p => p!["in"]?.GetValue<string>() == "query").Select(p => p!["name"]!.GetValue<string>());
    }

    /// <param name="Field">For a body that cannot bind, the JSON path the answer must name in <c>errors</c>.</param>
    /// <param name="Read">A read with valid input but a hostile header or query (group c): it may be answered.</param>
    private sealed record Hostile(string Operation, string Attack, HttpMethod Method, string Path, string Credential, string? Body, string? MediaType, IReadOnlyList<(string Name, string Value)> Headers, string? Field = null, bool Read = false);

    private IEnumerable<Operation> Operations()
    {
        foreach (var (template, item) in _document["paths"]!.AsObject())
        {
            foreach (var (method, node) in item!.AsObject())
            {
                if (method is "parameters" or "summary" or "description" or "servers")
                {
                    continue;
                }

                var body = node!["requestBody"]?["content"]?["application/json"]?["schema"];
                yield return new Operation(method.ToUpperInvariant(), template, node, body, Credential(template, node));
            }
        }
    }

    /// <summary>The credential an operation needs: from its security requirements when documented, else by its path.</summary>
    private string Credential(string template, JsonNode operation)
    {
        if (operation["security"] is JsonArray security)
        {
            var schemes = security.SelectMany(r => r!.AsObject().Select(p => p.Key)).ToList();
            if (schemes.Count == 0)
            {
                return "none";
            }

            var definitions = _document["components"]?["securitySchemes"];
            if (schemes.Any(s => s.Contains("device", StringComparison.OrdinalIgnoreCase) || definitions?[s]?["name"]?.GetValue<string>() == "X-Device-Secret"))
            {
                return "device";
            }

            return schemes.Any(s => s.Contains("vendor", StringComparison.OrdinalIgnoreCase)) ? "vendor" : "user";
        }

        return template switch
        {
            _ when template.StartsWith("/api/v1/vendor/", StringComparison.Ordinal) => "vendor",
            _ when template.StartsWith("/api/v1/device/", StringComparison.Ordinal) => "device",
            _ => "user",
        };
    }

    private IEnumerable<Hostile> Generate(Operation operation)
    {
        var validPath = Path(operation, null, null);

        // Credentials: missing, wrong, expired, another tenant's, the wrong kind. With a body a
        // valid request could carry, so only the credential stands between it and an effect.
        if (operation.Credential != "none")
        {
            var plausible = operation.BodySchema is { } b ? Fill(b, "x")!.ToJsonString() : null;
            var credentials = operation.Credential == "device"
                ? new[] { "device:none", "device:wrong-secret", "device:other-device-secret", "bearer:" + _token }
                : new[] { "none", "bearer:garbage", "bearer:Bearer", "bearer:" + _expiredToken, "bearer:" + _expiredToken[..^4] + "AAAA", "bearer:olk.0123456789abcdef.0123456789abcdef." + new string('A', 43), "bearer:" + _otherTenantApiKey, "device:" + _secret };
            foreach (var credential in credentials)
            {
                yield return Request(operation, "credential " + Printable(credential.Length > 40 ? credential[..40] : credential), validPath, plausible) with { Credential = credential };
            }

            if (validPath.StartsWith("/api/v1/companies/", StringComparison.Ordinal) || operation.Credential == "vendor")
            {
                yield return Request(operation, "credential other tenant's user", validPath, plausible) with { Credential = "bearer:" + _otherTenantToken };
            }
        }

        if (operation.BodySchema is { } schema)
        {
            foreach (var odd in OddStrings)
            {
                // Legal free text is group (b); a body without a string is not attacked by this.
                var filled = Fill(schema, odd)!;
                if (!IsLegalFreeText(operation.Name, odd) && Carries(filled, odd))
                {
                    yield return Request(operation, $"every string '{Printable(odd)}'", validPath, filled.ToJsonString());
                }
            }

            foreach (var (path, member) in Members(schema, [], 0))
            {
                var name = string.Concat(path.Select(p => p is int i ? $"[{i}]" : $".{p}"));
                foreach (var wrong in WrongValues(member))
                {
                    // null is legal for an optional member: only sent when another member makes the body fail.
                    var body = With(schema, path, wrong);
                    if (wrong is not null || Carries(body, Refused))
                    {
                        yield return Request(operation, $"${name} = {wrong?.ToJsonString() ?? "null"}", validPath, body.ToJsonString()) with { Field = wrong is null ? null : "$" + name };
                    }
                }

                if (Kind(member).Kind == "string" && Kind(member).Format is null)
                {
                    yield return Request(operation, $"${name} overlong", validPath, With(schema, path, JsonValue.Create(new string('x', 5_000))).ToJsonString());
                    yield return Request(operation, $"${name} very long", validPath, With(schema, path, JsonValue.Create(new string('y', 100_000))).ToJsonString());
                }

                foreach (var required in Resolve(member)["required"]?.AsArray().Select(r => r!.GetValue<string>()) ?? [])
                {
                    var body = With(schema, path, Fill(member, Refused));
                    (Navigate(body, path) as JsonObject)?.Remove(required);
                    yield return Request(operation, $"${name}.{required} missing", validPath, body.ToJsonString()) with { Field = $"${name}.{required}" };
                }
            }

            // Broken text inside the body's own strings, and a duplicated member, so nothing else about the body is legal.
            const string Marker = "\u0001marker\u0001";
            var marked = Fill(schema, Marker)!.ToJsonString();
            var markedText = JsonValue.Create(Marker).ToJsonString();
            var refusedBody = Fill(schema, Refused)!;
            var duplicated = refusedBody is JsonObject { Count: > 0 } members && Carries(refusedBody, Refused)
                ? $"{{\"{members.First().Key}\":{members.First().Value?.ToJsonString() ?? "null"}," + refusedBody.ToJsonString()[1..]
                : null;
            var bodyRequired = operation.Node["requestBody"]?["required"]?.GetValue<bool>() == true;
            foreach (var (attack, raw) in new (string, string?)[]
            {
                ("body '{'", "{"), ("body []", "[]"), ("body null", bodyRequired ? "null" : null), ("empty body", bodyRequired ? string.Empty : null), ("body string", "\"{0}\""),
                ("body number", "12345"), ("deep nesting", new string('[', 3_000) + new string(']', 3_000)),
                ("deep member", "{\"x\":" + new string('[', 100) + new string(']', 100) + "}"), ("trailing garbage", "{} x"),
                ("duplicate members", duplicated),
                ("lone surrogate", marked.Contains(markedText, StringComparison.Ordinal) ? marked.Replace(markedText, "\"\\ud800\"", StringComparison.Ordinal) : null),
                ("invalid UTF-8", marked.Contains(markedText, StringComparison.Ordinal) ? marked.Replace(markedText, "\"\u00ff\u00fe\"", StringComparison.Ordinal) : null),
            })
            {
                if (raw is not null)
                {
                    yield return Request(operation, attack, validPath, raw);
                }
            }

            yield return Request(operation, "text/plain body", validPath, refusedBody.ToJsonString()) with { MediaType = "text/plain" };
            yield return Request(operation, "form body", validPath, "a=1&b=2") with { MediaType = "application/x-www-form-urlencoded" };
            yield return Request(operation, "no content type", validPath, refusedBody.ToJsonString()) with { MediaType = null };
        }

        // Path segments: each parameter in turn, the others valid. A mutating route without a
        // body is only ever sent with one hostile segment, so it cannot succeed.
        var invalidBody = operation.BodySchema is { } s ? Fill(s, Refused)!.ToJsonString() : null;
        foreach (var parameter in operation.PathParameters)
        {
            foreach (var segment in OddPathSegments)
            {
                yield return Request(operation, $"{{{parameter}}} = {Printable(segment)}", Path(operation, parameter, segment), invalidBody);
            }
        }

        // Headers: safe operations with valid input otherwise; mutating ones with a body that fails
        // or, without one (or with a body of no string, which a filler cannot spoil), a hostile path segment.
        var bodyFails = invalidBody is not null && Carries(JsonNode.Parse(invalidBody), Refused);
        var headerPath = operation.IsSafe || bodyFails || !operation.PathParameters.Any()
            ? validPath
            : Path(operation, operation.PathParameters.Last(), "{0}");
        if (!operation.IsSafe && !bodyFails && !operation.PathParameters.Any())
        {
            yield break;
        }

        foreach (var header in OddHeaders)
        {
            yield return Request(operation, $"{header.Name}: {Printable(header.Value)}", headerPath, invalidBody) with { Headers = [header], Read = operation.IsSafe };
        }

        if (operation.IsSafe)
        {
            foreach (var query in new[] { "?{0}=%25s", "?x=%00", "?%ZZ=1", "?" + new string('q', 6_000) + "=1", "?a=1&a=2&a[]=3" })
            {
                yield return Request(operation, "query " + Printable(query), validPath + query, null) with { Read = true };
            }

            foreach (var parameter in operation.QueryParameters)
            {
                foreach (var value in new[] { "{0}", "%25s", "true%00", "-1", "99999999999999999999", "2026-13-45", new string('v', 3_000) })
                {
                    yield return Request(operation, $"?{parameter}={Printable(value)}", $"{validPath}?{parameter}={value}", null) with { Read = true };
                }
            }
        }
    }

    /// <summary>A body that cannot bind is answered 400 with the offending member's JSON path in <c>errors</c>.</summary>
    private static string? NamesTheField(Hostile hostile, int status, string body)
    {
        if (hostile.Field is not { } field)
        {
            return null;
        }

        var errors = status == 400 ? JsonNode.Parse(body)?["errors"] as JsonObject : null;
        return errors?.ContainsKey(field) == true ? null : $"{status} does not name {field} in errors: {ProblemBodies.Shorten(body)}";
    }

    private Hostile Request(Operation operation, string attack, string path, string? body) =>
        new(operation.Name, attack, new HttpMethod(operation.Method), path, operation.Credential, body, body is null ? null : "application/json", []);

    private string Path(Operation operation, string? hostileParameter, string? hostileValue)
    {
        var path = operation.Template;
        foreach (var parameter in operation.PathParameters)
        {
            var value = parameter == hostileParameter ? hostileValue! : Uri.EscapeDataString(ValidValue(parameter));
            path = path.Replace("{" + parameter + "}", value, StringComparison.Ordinal);
        }

        return path;
    }

    /// <summary>A value that names something that exists, by the parameter's name.</summary>
    private string ValidValue(string parameter) => parameter.ToLowerInvariant() switch
    {
        "cid" or "companyid" => _companyId,
        "pid" or "projectid" => _projectId,
        var p when p.Contains("mac", StringComparison.Ordinal) => _mac,
        var p when p.Contains("key", StringComparison.Ordinal) => _ownKey,
        var p when p.Contains("email", StringComparison.Ordinal) => _email,
        var p when p.Contains("project", StringComparison.Ordinal) => _projectId,
        var p when p.Contains("compan", StringComparison.Ordinal) => _companyId,
        _ => "x",
    };

    private async Task<(int Status, string? MediaType, string Body)> SendAsync(Hostile hostile, CancellationToken ct)
    {
        var uri = new Uri(_node.Address + hostile.Path.TrimStart('/'), new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        using var request = new HttpRequestMessage(hostile.Method, uri);
        if (hostile.Body is not null)
        {
            request.Content = new ByteArrayContent(hostile.Body.Contains('\u00ff', StringComparison.Ordinal) ? Encoding.Latin1.GetBytes(hostile.Body) : Encoding.UTF8.GetBytes(hostile.Body));
            if (hostile.MediaType is not null)
            {
                request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(hostile.MediaType);
            }
        }

        switch (hostile.Credential)
        {
            case "user":
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
                break;
            case "vendor":
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", LicensingApp.VendorKey);
                break;
            case "device":
                request.Headers.Add("X-Device-Mac", _mac);
                request.Headers.Add("X-Device-Secret", _secret);
                break;
            case "device:wrong-secret":
                request.Headers.Add("X-Device-Mac", _mac);
                request.Headers.Add("X-Device-Secret", "not the secret");
                break;
            case "device:other-device-secret":
                request.Headers.Add("X-Device-Mac", _mac);
                request.Headers.Add("X-Device-Secret", _otherSecret);
                break;
            case var bearer when bearer.StartsWith("bearer:", StringComparison.Ordinal):
                request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + bearer["bearer:".Length..]);
                break;
            case var device when device.StartsWith("device:", StringComparison.Ordinal) && device != "device:none":
                // A device's credentials sent to a bearer route.
                request.Headers.Add("X-Device-Mac", _mac);
                request.Headers.Add("X-Device-Secret", device["device:".Length..]);
                break;
        }

        foreach (var (name, value) in hostile.Headers)
        {
            if (name == "Content-Type")
            {
                request.Content?.Headers.Remove(name);
                request.Content?.Headers.TryAddWithoutValidation(name, value);
                continue;
            }

            request.Headers.Remove(name);
            Assert.True(request.Headers.TryAddWithoutValidation(name, value), $"could not send {name}");
        }

        try
        {
            using var response = await _http.SendAsync(request, ct);
            return ((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync(ct));
        }
        catch (HttpRequestException e)
        {
            return (0, null, "no answer: " + e.Message);
        }
    }

    /// <summary>
    /// What refused requests must not change, by section: the audit (minted, held by kind,
    /// consumed), the hardware of the order the devices came from, and for both tenants the user's
    /// account and companies, the company, its projects with balances, free pools, devices, redeemed
    /// and own keys, every device with its lots, members (current and removed), API keys (without
    /// their last use, which authentication records), RMAs and every history event.
    /// </summary>
    private async Task<SortedDictionary<string, string>> FingerprintAsync(CancellationToken ct)
    {
        var sections = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var audit = (await GetAsync("/api/v1/vendor/audit", LicensingApp.VendorKey, ct)).AsObject();
        audit.Remove("at");
        audit.Remove("holders");
        sections["audit"] = audit.ToJsonString();
        sections["vendor:order"] = (await GetAsync("/api/v1/vendor/orders/SO-1/devices", LicensingApp.VendorKey, ct)).ToJsonString();
        foreach (var (tenant, token, companyId) in new[] { ("ours", _token, _companyId), ("other", _otherTenantToken, _otherCompanyId) })
        {
            var company = $"/api/v1/companies/{companyId}";
            async Task<JsonNode> Add(string name, string path)
            {
                var node = await GetAsync(path, token, ct);
                sections[$"{tenant}:{name}"] = node.ToJsonString();
                return node;
            }

            await Add("me", "/api/v1/me");
            await Add("company", company);
            await Add("activations", $"{company}/activations");
            await Add("users", $"{company}/users");
            await Add("removed-users", $"{company}/users/removed");
            await Add("rma", $"{company}/rma");
            var apiKeys = await GetAsync($"{company}/api-keys", token, ct);
            foreach (var key in apiKeys.AsArray())
            {
                key!.AsObject().Remove("lastUsedAt");
            }

            sections[$"{tenant}:api-keys"] = apiKeys.ToJsonString();
            sections[$"{tenant}:history"] = string.Join("\n", await HistoryAsync(companyId, token, ct));
            foreach (var project in (await Add("projects", $"{company}/projects")).AsArray().Select(p => p!["projectId"]!.GetValue<string>()))
            {
                await Add($"project:{project}", $"{company}/projects/{project}");
                await Add($"balance:{project}", $"{company}/projects/{project}/balance");
                await Add($"free-licenses:{project}", $"{company}/projects/{project}/free-licenses");
                await Add($"activations:{project}", $"{company}/projects/{project}/activations");
                await Add($"own-keys:{project}", $"{company}/projects/{project}/own-keys");
                foreach (var mac in (await Add($"devices:{project}", $"{company}/projects/{project}/devices")).AsArray().Select(DeviceMac))
                {
                    await Add($"device:{mac}", $"{company}/devices/{mac}");
                }
            }
        }

        return sections;

        static string DeviceMac(JsonNode? device) => device is JsonObject o ? o["mac"]!.GetValue<string>() : device!.GetValue<string>();
    }

    /// <summary>A company's history (R-Q2), every page, as JSON lines.</summary>
    private async Task<List<string>> HistoryAsync(string companyId, string token, CancellationToken ct)
    {
        var events = new List<string>();
        string? cursor = null;
        do
        {
            var page = await GetAsync($"/api/v1/companies/{companyId}/history?period=always&limit=500{(cursor is null ? string.Empty : "&cursor=" + Uri.EscapeDataString(cursor))}", token, ct);
            events.AddRange(page["events"]!.AsArray().Select(e => e!.ToJsonString()));
            cursor = page["nextCursor"]?.GetValue<string>();
        }
        while (cursor is not null);

        return events;
    }

    private async Task<JsonNode> GetAsync(string path, string bearer, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        using var response = await _http.SendAsync(request, ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))!;
    }

    // --- JSON schema, as the document describes it ---

    private JsonNode Resolve(JsonNode schema)
    {
        while (schema["$ref"]?.GetValue<string>() is { } reference)
        {
            schema = _document["components"]!["schemas"]![reference.Split('/')[^1]]!;
        }

        if ((schema["oneOf"] ?? schema["anyOf"]) is JsonArray alternatives)
        {
            var concrete = alternatives.FirstOrDefault(a => Resolve(a!)["type"]?.ToJsonString() is not "\"null\"");
            return concrete is null ? schema : Resolve(concrete);
        }

        return schema;
    }

    /// <summary>The JSON kind of a schema: string, integer, number, boolean, array, map or object (null ignored).</summary>
    private (string Kind, string? Format) Kind(JsonNode schema)
    {
        schema = Resolve(schema);
        var type = schema["type"] switch
        {
            JsonArray types => types.Select(t => t!.GetValue<string>()).FirstOrDefault(t => t != "null"),
            JsonValue single => single.GetValue<string>(),
            _ => schema["properties"] is not null ? "object" : null,
        };
        if (type == "object" && schema["properties"] is null && schema["additionalProperties"] is JsonObject)
        {
            type = "map";
        }

        return (type ?? "unknown", schema["format"]?.GetValue<string>());
    }

    /// <summary>A value of the schema's shape with every string set to <paramref name="odd"/> (dates stay dates).</summary>
    private JsonNode? Fill(JsonNode schema, string odd, int depth = 0)
    {
        var resolved = Resolve(schema);
        return Kind(schema) switch
        {
            _ when depth > 6 => null,
            ("string", "date") => JsonValue.Create("2026-01-01"),
            ("string", "date-time") => JsonValue.Create("2026-01-01T00:00:00Z"),
            ("string", _) => JsonValue.Create(odd),
            ("integer" or "number", _) => JsonValue.Create(1),
            ("boolean", _) => JsonValue.Create(true),
            ("array", _) => new JsonArray(Fill(resolved["items"]!, odd, depth + 1)),
            ("map", _) => new JsonObject { [odd] = Fill(resolved["additionalProperties"]!, odd, depth + 1) },
            ("object", _) => new JsonObject((resolved["properties"] as JsonObject ?? []).Select(p => KeyValuePair.Create(p.Key, Fill(p.Value!, odd, depth + 1)))),
            _ => JsonValue.Create(odd),
        };
    }

    /// <summary>Every member reachable from the body (properties, array items, map values), with its path.</summary>
    private IEnumerable<(object[] Path, JsonNode Schema)> Members(JsonNode schema, object[] path, int depth)
    {
        if (depth > 4)
        {
            yield break;
        }

        var resolved = Resolve(schema);
        var (kind, _) = Kind(schema);
        IEnumerable<(object Segment, JsonNode Schema)> children = kind switch
        {
            "object" => (resolved["properties"] as JsonObject ?? []).Select(p => ((object)p.Key, p.Value!)),
            "array" => [(0, resolved["items"]!)],
            "map" => [("x", resolved["additionalProperties"]!)],
            _ => [],
        };
        foreach (var (segment, child) in children)
        {
            object[] childPath = [.. path, segment];
            yield return (childPath, child);
            foreach (var nested in Members(child, childPath, depth + 1))
            {
                yield return nested;
            }
        }
    }

    /// <summary>Values of the wrong JSON type (or form) for a member, and null.</summary>
    private IEnumerable<JsonNode?> WrongValues(JsonNode schema)
    {
        yield return null;
        foreach (var json in Kind(schema) switch
        {
            ("string", "date") => ["\"31.12.2026\"", "\"2026-02-30\"", "20260101", "\"yesterday\""],
            ("string", _) => ["12345", "true", "{}", "[]"],
            ("integer", _) => ["\"1\"", "1.5", "99999999999999999999", "true", "{}"],
            ("number", _) => ["\"1\"", "true", "[]"],
            ("boolean", _) => ["\"true\"", "1", "{}"],
            ("array", _) => ["\"{0}\"", "{}", "1"],
            ("map" or "object", _) => ["\"{0}\"", "[]", "1"],
            _ => new[] { "{}" },
        })
        {
            yield return JsonNode.Parse(json);
        }
    }

    /// <summary>The body filled with <see cref="Refused"/>, one member replaced.</summary>
    private JsonNode With(JsonNode schema, object[] path, JsonNode? value)
    {
        var body = Fill(schema, Refused)!;
        var parent = Navigate(body, path[..^1]);
        switch (parent, path[^1])
        {
            case (JsonObject o, string name):
                o[name] = value?.DeepClone();
                break;
            case (JsonArray a, int index) when a.Count > index:
                a[index] = value?.DeepClone();
                break;
        }

        return body;
    }

    /// <summary>Whether a string value or member name of <paramref name="node"/> is <paramref name="text"/>.</summary>
    private static bool Carries(JsonNode? node, string text) => node switch
    {
        JsonObject o => o.Any(m => m.Key == text || Carries(m.Value, text)),
        JsonArray a => a.Any(item => Carries(item, text)),
        JsonValue v => v.GetValueKind() == System.Text.Json.JsonValueKind.String && v.GetValue<string>() == text,
        _ => false,
    };

    private static JsonNode? Navigate(JsonNode? node, object[] path)
    {
        foreach (var segment in path)
        {
            node = (node, segment) switch
            {
                (JsonObject o, string name) => o[name],
                (JsonArray a, int index) when a.Count > index => a[index],
                _ => null,
            };
        }

        return node;
    }

    private static string Printable(string value) =>
        value.Length > 40 ? $"{value[..12]}…({value.Length} chars)" : value.Replace("\u0001", "\\u0001", StringComparison.Ordinal).Replace("\u0002", "\\u0002", StringComparison.Ordinal);
}
