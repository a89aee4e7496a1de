using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;

namespace OrleansLicensing.ApiTests;

/// <summary>
/// A hostile client generated from the app's own OpenAPI document: for every operation, wrong
/// JSON types for each body member, nulls, missing required members, overlong and format-character
/// strings, malformed bodies, bad path segments, bad and oversized headers — sent with the right
/// kind of credential so they get past authentication, to a real Kestrel listener. Every answer
/// is below 500, every 4xx is problem+json with a code and a trace id, no body names a .NET type,
/// namespace or stack frame, and no unit moved (audit, balances, device lots).
/// </summary>
/// <remarks>
/// Driven by the document, so a new route is attacked as soon as it is mapped. Every generated
/// request is meant to fail (or, for creating a company or a project under an odd name, to
/// succeed harmlessly): a request with no body and no hostile input on a mutating route is never
/// sent, and hostile bodies fill every string with an odd value no catalog code, MAC or key can
/// match. Path parameters get valid values by name (cid, pid, mac, key, email...) unless they are
/// the member under attack.
/// </remarks>
public sealed class HostileGeneratedTests : IAsyncLifetime
{
    private const int MinimumRequests = 2000;

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
        var (otherCompany, _) = await api.CreateCompanyAsync(_otherTenantToken, "Other tenant");
        (_, _otherTenantApiKey) = await Security.ApiKeyTests.CreateKeyAsync(api, _otherTenantToken, otherCompany, "other tenant", ["CheckDeviceStatus", "MoveLicenses", "BuyOnCredit", "RequestCertificate"]);
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
    public async Task Every_operation_survives_generated_hostile_requests_without_a_5xx_a_leak_or_a_moved_unit()
    {
        var ct = TestContext.Current.CancellationToken;
        var requests = Operations().SelectMany(Generate).ToList();
        Assert.True(requests.Count >= MinimumRequests, $"only {requests.Count} requests generated");

        var before = await FingerprintAsync(ct);
        var historyBefore = await HistoryAsync(ct);
        Assert.NotEmpty(historyBefore);
        var failures = new ConcurrentBag<string>();
        var statuses = new ConcurrentDictionary<string, ConcurrentBag<int>>();
        await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct }, async (hostile, token) =>
        {
            var (status, mediaType, body) = await SendAsync(hostile, token);
            statuses.GetOrAdd(hostile.Operation, _ => []).Add(status);
            var problem = status is 0 or >= 500 ? $"{status}: {ProblemBodies.Shorten(body)}" : ProblemBodies.Check(status, mediaType, body) ?? NamesTheField(hostile, status, body);
            if (problem is not null)
            {
                failures.Add($"{hostile.Operation} [{hostile.Attack}]: {problem}");
            }
        });
        var after = await FingerprintAsync(ct);
        var recorded = (await HistoryAsync(ct)).Except(historyBefore).ToList();

        Assert.True(failures.IsEmpty, $"{failures.Count} of {requests.Count} hostile requests failed:\n" + string.Join("\n", failures.Order(StringComparer.Ordinal).Take(40)));
        Assert.Equal(before, after);
        // A hostile string inside an otherwise valid request is legal free text (a project named
        // "'; drop table licenses; --" is stored and shown verbatim): such a request is accepted
        // and records its event. What must hold: refused requests record nothing — at most one
        // event per accepted mutation.
        var accepted = statuses.Where(s => !s.Key.StartsWith("GET ", StringComparison.Ordinal)).Sum(s => s.Value.Count(code => code is >= 200 and < 300));
        Assert.True(recorded.Count <= accepted, $"{accepted} accepted mutations but {recorded.Count} history events:\n" + string.Join("\n", recorded.Take(20)));

        // The credentials were of the right kind: every operation answered something other than 401/403.
        var stuckAtAuth = statuses.Where(s => s.Value.All(code => code is 401 or 403)).Select(s => s.Key).ToList();
        Assert.True(stuckAtAuth.Count == 0, "never got past authentication: " + string.Join(", ", stuckAtAuth));
        TestContext.Current.TestOutputHelper?.WriteLine($"{recorded.Count} history events from {accepted} accepted mutations: " +
            string.Join(", ", recorded.Select(e => JsonNode.Parse(e)!["action"]!.GetValue<string>()).GroupBy(a => a).Select(g => $"{g.Key}×{g.Count()}")));
        TestContext.Current.TestOutputHelper?.WriteLine($"{requests.Count} hostile requests over {statuses.Count} operations: " +
            string.Join(", ", statuses.SelectMany(s => s.Value).GroupBy(s => s).OrderBy(g => g.Key).Select(g => $"{g.Key}×{g.Count()}")));
    }

    private sealed record Operation(string Method, string Template, JsonNode Node, JsonNode? BodySchema, string Credential)
    {
        public string Name => $"{Method} {Template}";

        public bool IsSafe => Method is "GET" or "HEAD";

        public IEnumerable<string> PathParameters => (Node["parameters"]?.AsArray() ?? []).Where(p => p!["in"]?.GetValue<string>() == "path").Select(p => p!["name"]!.GetValue<string>());

        public IEnumerable<string> QueryParameters => (Node["parameters"]?.AsArray() ?? []).Where(p => p!["in"]?.GetValue<string>() == "query").Select(p => p!["name"]!.GetValue<string>());
    }

    /// <param name="Field">For a body that cannot bind, the JSON path the answer must name in <c>errors</c>.</param>
    private sealed record Hostile(string Operation, string Attack, HttpMethod Method, string Path, string Credential, string? Body, string? MediaType, IReadOnlyList<(string Name, string Value)> Headers, string? Field = null);

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
                yield return Request(operation, $"every string '{Printable(odd)}'", validPath, Fill(schema, odd)!.ToJsonString());
            }

            foreach (var (path, member) in Members(schema, [], 0))
            {
                var name = string.Concat(path.Select(p => p is int i ? $"[{i}]" : $".{p}"));
                foreach (var wrong in WrongValues(member))
                {
                    yield return Request(operation, $"${name} = {wrong?.ToJsonString() ?? "null"}", validPath, With(schema, path, wrong).ToJsonString()) with { Field = wrong is null ? null : "$" + name };
                }

                if (Kind(member).Kind == "string" && Kind(member).Format is null)
                {
                    yield return Request(operation, $"${name} overlong", validPath, With(schema, path, JsonValue.Create(new string('x', 5_000))).ToJsonString());
                    yield return Request(operation, $"${name} very long", validPath, With(schema, path, JsonValue.Create(new string('y', 100_000))).ToJsonString());
                }

                foreach (var required in Resolve(member)["required"]?.AsArray().Select(r => r!.GetValue<string>()) ?? [])
                {
                    var body = With(schema, path, Fill(member, "x"));
                    (Navigate(body, path) as JsonObject)?.Remove(required);
                    yield return Request(operation, $"${name}.{required} missing", validPath, body.ToJsonString()) with { Field = $"${name}.{required}" };
                }
            }

            foreach (var (attack, raw) in new (string, string)[]
            {
                ("body '{'", "{"), ("body []", "[]"), ("body null", "null"), ("empty body", ""), ("body string", "\"{0}\""),
                ("body number", "12345"), ("deep nesting", new string('[', 3_000) + new string(']', 3_000)),
                ("deep member", "{\"x\":" + new string('[', 100) + new string(']', 100) + "}"), ("trailing garbage", "{} x"),
                ("duplicate members", "{\"a\":1,\"a\":2}"), ("lone surrogate", "{\"x\":\"\\ud800\"}"), ("invalid UTF-8", "{\"x\":\"\u00ff\u00fe\"}"),
            })
            {
                yield return Request(operation, attack, validPath, raw);
            }

            yield return Request(operation, "text/plain body", validPath, Fill(schema, "x")!.ToJsonString()) with { MediaType = "text/plain" };
            yield return Request(operation, "form body", validPath, "a=1&b=2") with { MediaType = "application/x-www-form-urlencoded" };
            yield return Request(operation, "no content type", validPath, Fill(schema, "x")!.ToJsonString()) with { MediaType = null };
        }

        // Path segments: each parameter in turn, the others valid. A mutating route without a
        // body is only ever sent with one hostile segment, so it cannot succeed.
        var invalidBody = operation.BodySchema is { } s ? Fill(s, "x")!.ToJsonString() : null;
        foreach (var parameter in operation.PathParameters)
        {
            foreach (var segment in OddPathSegments)
            {
                yield return Request(operation, $"{{{parameter}}} = {Printable(segment)}", Path(operation, parameter, segment), invalidBody);
            }
        }

        // Headers: safe operations with valid input otherwise; mutating ones with an invalid body
        // or, without a body, a hostile path segment.
        var headerPath = operation.IsSafe || invalidBody is not null || !operation.PathParameters.Any()
            ? validPath
            : Path(operation, operation.PathParameters.Last(), "{0}");
        if (!operation.IsSafe && invalidBody is null && !operation.PathParameters.Any())
        {
            yield break;
        }

        foreach (var header in OddHeaders)
        {
            yield return Request(operation, $"{header.Name}: {Printable(header.Value)}", headerPath, invalidBody) with { Headers = [header] };
        }

        if (operation.IsSafe)
        {
            foreach (var query in new[] { "?{0}=%25s", "?x=%00", "?%ZZ=1", "?" + new string('q', 6_000) + "=1", "?a=1&a=2&a[]=3" })
            {
                yield return Request(operation, "query " + Printable(query), validPath + query, null);
            }

            foreach (var parameter in operation.QueryParameters)
            {
                foreach (var value in new[] { "{0}", "%25s", "true%00", "-1", "99999999999999999999", "2026-13-45", new string('v', 3_000) })
                {
                    yield return Request(operation, $"?{parameter}={Printable(value)}", $"{validPath}?{parameter}={value}", null);
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

    /// <summary>What must not change: the audit (minted, held by kind, consumed), project balances and free pools, device lots (and, separately, the company's history).</summary>
    private async Task<string> FingerprintAsync(CancellationToken ct)
    {
        var text = new StringBuilder();
        var audit = (await GetAsync("/api/v1/vendor/audit", LicensingApp.VendorKey, ct)).AsObject();
        audit.Remove("at");
        audit.Remove("holders");
        text.AppendLine(audit.ToJsonString());
        foreach (var path in new[]
        {
            $"/api/v1/companies/{_companyId}/projects/{_projectId}/balance",
            $"/api/v1/companies/{_companyId}/projects/{_projectId}/free-licenses",
            $"/api/v1/companies/{_companyId}/devices/{_mac}",
            $"/api/v1/companies/{_companyId}/devices/{_otherMac}",
        })
        {
            // A device's name and comment are free text: the filler 'x' of a hostile body is a valid
            // name (R-D4), so PATCH …/devices/{mac} may set it. They move no unit; the lots count.
            var state = await GetAsync(path, _token, ct);
            if (state is JsonObject device && path.Contains("/devices/", StringComparison.Ordinal))
            {
                device.Remove("name");
                device.Remove("comment");
            }

            text.AppendLine(state.ToJsonString());
        }

        return text.ToString();
    }

    /// <summary>
    /// The company's history (R-Q2), every page, as JSON lines: a hostile request records nothing —
    /// but the free-text edit the fingerprint allows, recorded as <c>DeviceUpdated</c>.
    /// </summary>
    private async Task<List<string>> HistoryAsync(CancellationToken ct)
    {
        var events = new List<string>();
        string? cursor = null;
        do
        {
            var page = await GetAsync($"/api/v1/companies/{_companyId}/history?period=always&limit=500{(cursor is null ? string.Empty : "&cursor=" + Uri.EscapeDataString(cursor))}", _token, ct);
            events.AddRange(page["events"]!.AsArray()
                .Where(e => e!["action"]!.GetValue<string>() != "DeviceUpdated")
                .Select(e => e!.ToJsonString()));
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

    /// <summary>The body filled with a harmless invalid string ("x"), one member replaced.</summary>
    private JsonNode With(JsonNode schema, object[] path, JsonNode? value)
    {
        var body = Fill(schema, "x")!;
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
