using System.Net;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using OrleansLicensing.Gateway.Infrastructure;

namespace OrleansLicensing.ApiTests.Security;

/// <summary>
/// Issue 13: one route × principal matrix over every endpoint of the app. Each route has one
/// line below naming its access class; the classes say what each principal gets. A route mapped
/// without a line fails <see cref="Every_endpoint_has_a_matrix_entry_that_matches_its_metadata"/>.
/// </summary>
public sealed class AuthorizationMatrixTests : IAsyncLifetime
{
    /// <summary>
    /// Route classes. <c>Anonymous</c>: anyone. <c>Operations</c>: anyone, outside /api.
    /// <c>User</c>: any signed-in user (not API keys). <c>Member</c>: any member of the company
    /// and its API keys. <c>Right:X</c>: admins, members and API keys holding right X.
    /// <c>Admin</c>: company admins only. <c>Vendor</c>: the vendor key. <c>Device</c>: device
    /// MAC + secret. A <c>+External</c> suffix: users of a company holding an external right on
    /// the route's project may use it under their own company id (R-P2).
    /// </summary>
    private static readonly Dictionary<string, string> Matrix = new(StringComparer.Ordinal)
    {
        // ---- operations and documents ----
        ["GET /healthz"]                     = "Operations",
        ["GET /metrics"]                     = "Operations",
        ["GET /openapi/{documentName}.json"] = "Operations",
        ["GET /readyz"]                      = "Operations",
        ["GET /scalar/favicon.svg"]          = "Operations",
        ["GET /scalar/scalar.aspnetcore.js"] = "Operations",
        ["GET /scalar/scalar.js"]            = "Operations",
        ["GET /scalar/{documentName?}"]      = "Operations",
        // ---- anonymous ----
        ["POST /api/v1/accounts"]             = "Anonymous",
        ["POST /api/v1/accounts/activate"]    = "Anonymous",
        ["POST /api/v1/auth/refresh"]         = "Anonymous",
        ["POST /api/v1/auth/token"]           = "Anonymous",
        ["GET /api/v1/catalog/device-types"]  = "Anonymous",
        ["GET /api/v1/catalog/license-types"] = "Anonymous",
        ["GET /api/v1/catalog/signing-key"]   = "Anonymous",
        ["GET /api/v1/catalog/versions"]      = "Anonymous",
        ["POST /api/v1/ssc/quote"]            = "Anonymous",
        // ---- user ----
        ["POST /api/v1/companies"] = "User",
        ["GET /api/v1/me"]         = "User",
        ["PATCH /api/v1/me"]       = "User",
        ["GET /api/v1/me/history"] = "User",
        // ---- company: any member and its API keys ----
        ["GET /api/v1/companies/{cid}/"]                                      = "Member",
        ["GET /api/v1/companies/{cid}/activations"]                           = "Member",
        ["GET /api/v1/companies/{cid}/balance"]                               = "Member",
        ["DELETE /api/v1/companies/{cid}/devices/{mac}/"]                     = "Member",
        ["GET /api/v1/companies/{cid}/devices/{mac}/"]                        = "Member+External",
        ["PATCH /api/v1/companies/{cid}/devices/{mac}/"]                      = "Member",
        ["DELETE /api/v1/companies/{cid}/devices/{mac}/floating-license"]     = "Member+External",
        ["POST /api/v1/companies/{cid}/devices/{mac}/floating-license"]       = "Member+External",
        ["GET /api/v1/companies/{cid}/devices/{mac}/license-file"]            = "Member+External",
        ["POST /api/v1/companies/{cid}/devices/{mac}/test-license"]           = "Member+External",
        ["GET /api/v1/companies/{cid}/devices/{mac}/test-license"]            = "Member+External",
        ["GET /api/v1/companies/{cid}/devices/{mac}/license-file/versions"]   = "Member+External",
        ["POST /api/v1/companies/{cid}/devices/{mac}/invalidation"]           = "Member+External",
        ["GET /api/v1/companies/{cid}/devices/{mac}/confirmation-file"]       = "Member+External",
        ["POST /api/v1/companies/{cid}/devices/{mac}/certificate"]            = "Right:RequestCertificate",
        ["GET /api/v1/companies/{cid}/devices/{mac}/certificates"]            = "Member+External",
        ["POST /api/v1/companies/{cid}/devices/{mac}/licenses"]               = "Member+External",
        ["POST /api/v1/companies/{cid}/devices/{mac}/licenses/from-free"]     = "Member",
        ["POST /api/v1/companies/{cid}/devices/{mac}/licenses/move"]          = "Member",
        ["POST /api/v1/companies/{cid}/devices/{mac}/rma"]                    = "Member",
        ["DELETE /api/v1/companies/{cid}/devices/{mac}/test-mode"]            = "Member+External",
        ["GET /api/v1/companies/{cid}/devices/{mac}/test-mode"]               = "Member+External",
        ["POST /api/v1/companies/{cid}/devices/{mac}/test-mode"]              = "Member+External",
        ["POST /api/v1/companies/{cid}/devices/{mac}/warranty"]               = "Member+External",
        ["GET /api/v1/companies/{cid}/history"]                               = "Member",
        ["GET /api/v1/companies/{cid}/project-joins/{processId}"]             = "Member",
        ["GET /api/v1/companies/{cid}/projects"]                              = "Member",
        ["POST /api/v1/companies/{cid}/projects"]                             = "Member",
        ["DELETE /api/v1/companies/{cid}/projects/{pid}"]                     = "Member",
        ["GET /api/v1/companies/{cid}/projects/{pid}"]                        = "Member+External",
        ["PATCH /api/v1/companies/{cid}/projects/{pid}"]                      = "Member",
        ["GET /api/v1/companies/{cid}/projects/{pid}/activations"]            = "Member+External",
        ["POST /api/v1/companies/{cid}/projects/{pid}/activations"]           = "Member+External",
        ["GET /api/v1/companies/{cid}/projects/{pid}/balance"]                = "Member+External",
        ["GET /api/v1/companies/{cid}/projects/{pid}/devices/"]               = "Member+External",
        ["POST /api/v1/companies/{cid}/projects/{pid}/devices/"]              = "Member+External",
        ["POST /api/v1/companies/{cid}/projects/{pid}/devices/move"]          = "Member",
        ["GET /api/v1/companies/{cid}/projects/{pid}/free-licenses/"]         = "Member",
        ["POST /api/v1/companies/{cid}/projects/{pid}/free-licenses/convert"] = "Member",
        ["POST /api/v1/companies/{cid}/projects/{pid}/join"]                  = "Member",
        ["GET /api/v1/companies/{cid}/projects/{pid}/own-keys/"]              = "Member",
        ["POST /api/v1/companies/{cid}/projects/{pid}/own-keys/"]             = "Member",
        ["DELETE /api/v1/companies/{cid}/projects/{pid}/own-keys/{key}"]      = "Member",
        ["PATCH /api/v1/companies/{cid}/projects/{pid}/own-keys/{key}"]       = "Member",
        ["PUT /api/v1/companies/{cid}/projects/{pid}/ssa"]                    = "Member",
        ["POST /api/v1/companies/{cid}/projects/{pid}/warranty"]              = "Member+External",
        ["GET /api/v1/companies/{cid}/rma"]                                   = "Member",
        ["GET /api/v1/companies/{cid}/search"]                                = "Member",
        ["GET /api/v1/companies/{cid}/users/"]                                = "Member",
        ["GET /api/v1/companies/{cid}/users/removed"]                         = "Member",
        // ---- company: a right ----
        ["GET /api/v1/companies/{cid}/device-status/{deviceMac}"] = "Right:CheckDeviceStatus",
        ["GET /api/v1/companies/{cid}/keys/{key}/certificate"]    = "Right:RequestCertificate",
        // ---- company: admins only ----
        ["POST /api/v1/companies/{cid}/legacy/claims"] = "Admin",
        ["GET /api/v1/companies/{cid}/legacy/claims"] = "Admin",
        ["GET /api/v1/companies/{cid}/legacy/groups/{groupId}/devices"] = "Admin",
        ["POST /api/v1/companies/{cid}/projects/{pid}/legacy/imports"] = "Admin",
        ["GET /api/v1/companies/{cid}/projects/{pid}/legacy/imports/{importId}"] = "Admin",
        ["POST /api/v1/companies/{cid}/projects/{pid}/legacy/devices"] = "Admin",
        ["PATCH /api/v1/companies/{cid}/"]                       = "Admin",
        ["GET /api/v1/companies/{cid}/api-keys/"]                = "Admin",
        ["POST /api/v1/companies/{cid}/api-keys/"]               = "Admin",
        ["DELETE /api/v1/companies/{cid}/api-keys/{keyId}"]      = "Admin",
        ["GET /api/v1/companies/{cid}/credit"]                   = "Admin",
        ["POST /api/v1/companies/{cid}/join"]                    = "Admin",
        ["GET /api/v1/companies/{cid}/joins/{processId}"]        = "Admin",
        ["DELETE /api/v1/companies/{cid}/projects/{pid}/rights"] = "Admin",
        ["GET /api/v1/companies/{cid}/projects/{pid}/rights"]    = "Admin",
        ["POST /api/v1/companies/{cid}/projects/{pid}/rights"]   = "Admin",
        ["POST /api/v1/companies/{cid}/users/"]                  = "Admin",
        ["DELETE /api/v1/companies/{cid}/users/{email}"]         = "Admin",
        ["PATCH /api/v1/companies/{cid}/users/{email}"]          = "Admin",
        // ---- vendor ----
        ["POST /api/v1/vendor/import"] = "Vendor",
        ["GET /api/v1/vendor/import/{exportId}"] = "Vendor",
        ["POST /api/v1/vendor/activation-keys"]             = "Vendor",
        ["GET /api/v1/vendor/audit"]                        = "Vendor",
        ["GET /api/v1/vendor/audit/progress"]               = "Vendor",
        ["POST /api/v1/vendor/hardware"]                    = "Vendor",
        ["GET /api/v1/vendor/mail/{email}"]                 = "Vendor",
        ["GET /api/v1/vendor/orders/{orderNumber}/devices"] = "Vendor",
        ["POST /api/v1/vendor/rma/{mac}/arrived"]           = "Vendor",
        ["POST /api/v1/vendor/rma/{mac}/reship"]            = "Vendor",
        // ---- device ----
        ["POST /api/v1/device/claim"]  = "Device",
        ["GET /api/v1/device/license"] = "Device",
        ["POST /api/v1/device/invalidation"] = "Device",
    };

    private LicensingApp _app = null!;
    private Api _api = null!;
    private Principals _who = null!;

    public async ValueTask InitializeAsync()
    {
        _app = new LicensingApp("Memory");
        _api = new Api(_app.CreateClient());
        _who = await Principals.CreateAsync(_api);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public void Every_endpoint_has_a_matrix_entry_that_matches_its_metadata()
    {
        var problems = Problems(Endpoints());
        Assert.True(problems.Count == 0, $"{problems.Count} routes without a matching matrix line:\n{string.Join('\n', problems)}");
    }

    [Fact]
    public void The_check_fails_for_a_route_without_a_matrix_line()
    {
        var rogue = new RouteEndpoint(_ => Task.CompletedTask, RoutePatternFactory.Parse("/api/v1/rogue"), 0,
            new EndpointMetadataCollection(new AuthorizeAttribute(BearerAuthenticationHandler.UserPolicy), new HttpMethodMetadata(["GET"])), "rogue");
        Assert.Equal(["GET /api/v1/rogue: no matrix line (its metadata says \"User\")"], Problems([rogue]));
    }

    /// <summary>
    /// Every route called by every principal: a principal the route's class refuses gets exactly
    /// the refusal (401 without a credential, 403 for the wrong kind or a missing right, 404 for
    /// another company's or an unshared project's ids); one it admits is never refused for who it is.
    /// </summary>
    [Fact]
    public async Task Every_route_refuses_and_admits_each_principal_as_its_matrix_line_says()
    {
        var failures = new List<string>();
        var requests = 0;
        var routes = Routes(Endpoints())
            .Where(r => r.Route.Contains(" /api/", StringComparison.Ordinal))
            .OrderBy(r => r.Route.StartsWith("DELETE", StringComparison.Ordinal))
            .ThenBy(r => r.Route, StringComparer.Ordinal)
            .ToList();
        foreach (var (route, _, _) in routes)
        {
            var access = Matrix.TryGetValue(route, out var line) ? line : throw new InvalidOperationException($"{route}: no matrix line");
            var method = route[..route.IndexOf(' ', StringComparison.Ordinal)];
            var pattern = route[(method.Length + 1)..];
            foreach (var principal in Enum.GetValues<Principal>())
            {
                if (Expect(access, principal, pattern) is not { } expected)
                {
                    continue;
                }

                var path = Fill(pattern, principal == Principal.External ? _who.ExternalCompany : _who.CompanyId, principal == Principal.External ? _who.SharedProjectId : _who.ProjectId);
                var response = await SendAsync(method, path + Queries.GetValueOrDefault(route, string.Empty), principal);
                requests++;
                var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
                var status = (int)response.StatusCode;
                var problem = $"{route} as {principal}: expected {expected}, got {status} {text[..Math.Min(text.Length, 200)]}";
                if (status >= 500)
                {
                    failures.Add(problem);
                }
                else if (expected == Allowed)
                {
                    var refused = status == 401
                        || (status == 403 && (text.Contains("\"Forbidden\"", StringComparison.Ordinal) || text.Contains("\"UserLocked\"", StringComparison.Ordinal)))
                        || (status == 404 && text.Contains("The company was not found", StringComparison.Ordinal));
                    if (refused)
                    {
                        failures.Add(problem);
                    }
                }
                else if (expected == Refused ? status is < 400 or >= 500 : status != expected)
                {
                    // A company route's body is bound before the company filter runs: a body that
                    // does not bind is refused first (400), revealing nothing, and nothing happens.
                    var boundFirst = status == 400 && method is "POST" or "PATCH" or "PUT" && pattern.StartsWith("/api/v1/companies/{cid}", StringComparison.Ordinal) && expected != 401;
                    if (!boundFirst)
                    {
                        failures.Add(problem);
                    }
                }
            }
        }

        Assert.True(requests > 500, $"only {requests} requests");
        Assert.True(failures.Count == 0, $"{failures.Count} of {requests} answers break the matrix:\n{string.Join('\n', failures)}");
    }

    private const int Allowed = 0;

    /// <summary>Any 4xx: the device routes check the device's own secret (in the headers or the body), so a caller without one is refused by validation or authentication.</summary>
    private const int Refused = -1;

    /// <summary>Required query parameters, by route, so the request reaches authorization.</summary>
    private static readonly Dictionary<string, string> Queries = new(StringComparer.Ordinal)
    {
        ["DELETE /api/v1/companies/{cid}/projects/{pid}/rights"] = "?companyId=0123456789abcdef",
    };

    private enum Principal
    {
        Anonymous,
        User,
        CompanyAdmin,
        Member,
        MemberWithRight,
        External,
        ApiKey,
        Vendor,
        Device,
    }

    /// <summary>What <paramref name="principal"/> gets on a route of class <paramref name="access"/>: <see cref="Allowed"/>, a refusal status, or <c>null</c> (not probed).</summary>
    private static int? Expect(string access, Principal principal, string pattern)
    {
        var external = access.EndsWith("+External", StringComparison.Ordinal);
        var kind = access.Replace("+External", string.Empty, StringComparison.Ordinal);
        if (kind is "Anonymous" or "Operations")
        {
            return principal is Principal.Anonymous or Principal.User or Principal.Vendor ? Allowed : null;
        }

        if (kind == "Device")
        {
            return principal switch
            {
                Principal.Device => Allowed,
                Principal.Anonymous => Refused,
                _ => null,
            };
        }

        if (principal is Principal.Anonymous or Principal.Device)
        {
            return 401;
        }

        switch (kind)
        {
            case "User":
                return principal is Principal.ApiKey or Principal.Vendor ? 403 : Allowed;
            case "Vendor":
                return principal == Principal.Vendor ? Allowed : 403;
        }

        // Company routes, called under the principal's company id (the external one under its own).
        if (principal == Principal.Vendor)
        {
            return 403;
        }

        if (principal == Principal.External)
        {
            return !pattern.Contains("{pid}", StringComparison.Ordinal) ? null : external ? Allowed : 404;
        }

        if (principal == Principal.User)
        {
            return 404;
        }

        return kind switch
        {
            "Member" => Allowed,
            "Admin" => principal == Principal.CompanyAdmin ? Allowed : 403,
            _ when kind.StartsWith("Right:", StringComparison.Ordinal) => principal == Principal.CompanyAdmin
                || (principal is Principal.MemberWithRight or Principal.ApiKey && kind == "Right:" + Principals.Right) ? Allowed : 403,
            _ => throw new InvalidOperationException($"unknown access class {access}"),
        };
    }

    private string Fill(string pattern, string companyId, string projectId) => pattern
        .Replace("{cid}", companyId, StringComparison.Ordinal)
        .Replace("{pid}", projectId, StringComparison.Ordinal)
        .Replace("{mac}", _who.Mac, StringComparison.Ordinal)
        .Replace("{deviceMac}", _who.Mac, StringComparison.Ordinal)
        .Replace("{key}", "ABCDE-FGHJK-MNPQR-STVWX-YZ012", StringComparison.Ordinal)
        .Replace("{email}", _who.AdminEmail, StringComparison.Ordinal)
        .Replace("{keyId}", "0123456789abcdef", StringComparison.Ordinal)
        .Replace("{processId}", "0123456789abcdef", StringComparison.Ordinal)
        .Replace("{orderNumber}", "SO-MATRIX", StringComparison.Ordinal);

    private Task<HttpResponseMessage> SendAsync(string method, string path, Principal principal)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method is "POST" or "PATCH" or "PUT")
        {
            request.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
        }

        var bearer = principal switch
        {
            Principal.User => _who.Outsider,
            Principal.CompanyAdmin => _who.Admin,
            Principal.Member => _who.Member,
            Principal.MemberWithRight => _who.MemberWithRight,
            Principal.External => _who.External,
            Principal.ApiKey => _who.ApiKey,
            Principal.Vendor => LicensingApp.VendorKey,
            _ => null,
        };
        if (bearer is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearer);
        }

        if (principal == Principal.Device)
        {
            request.Headers.Add("X-Device-Mac", _who.Mac);
            request.Headers.Add("X-Device-Secret", _who.Secret);
        }

        return _api.Http.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private static List<string> Problems(IEnumerable<RouteEndpoint> endpoints)
    {
        var problems = new List<string>();
        foreach (var (route, _, derived) in Routes(endpoints))
        {
            if (!Matrix.TryGetValue(route, out var expected))
            {
                problems.Add($"{route}: no matrix line (its metadata says \"{derived}\")");
            }
            else if (expected != derived)
            {
                problems.Add($"{route}: the matrix says \"{expected}\", its metadata says \"{derived}\"");
            }
        }

        return problems;
    }

    private static IEnumerable<(string Route, RouteEndpoint Endpoint, string Access)> Routes(IEnumerable<RouteEndpoint> endpoints) =>
        from endpoint in endpoints
        from method in endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"]
        select ($"{method} {endpoint.RoutePattern.RawText}", endpoint, AccessOf(endpoint));

    /// <summary>The access class a route's metadata gives it (what the matrix is checked against).</summary>
    private static string AccessOf(RouteEndpoint endpoint)
    {
        var metadata = endpoint.Metadata;
        var pattern = endpoint.RoutePattern.RawText!;
        if (metadata.GetMetadata<DeviceCredentialsMetadata>() is not null)
        {
            return "Device";
        }

        var policies = metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).Distinct().ToList();
        string access;
        if (metadata.GetMetadata<CompanyScopeMetadata>() is not null)
        {
            var right = metadata.GetMetadata<CompanyRightMetadata>()?.Right;
            access = right is null ? "Member" : right == Contracts.CompanyRights.AdminOnly ? "Admin" : "Right:" + right;
            access = policies is [BearerAuthenticationHandler.CompanyPolicy] ? access : $"{access}?{string.Join(',', policies)}";
        }
        else
        {
            access = policies switch
            {
                [] => pattern.StartsWith("/api/", StringComparison.Ordinal) ? "Anonymous" : "Operations",
                [BearerAuthenticationHandler.UserPolicy] => "User",
                [BearerAuthenticationHandler.VendorPolicy] => "Vendor",
                _ => "Policies:" + string.Join(',', policies),
            };
        }

        return metadata.GetMetadata<ExternalProjectRightsMetadata>() is not null ? access + "+External" : access;
    }

    private List<RouteEndpoint> Endpoints() =>
        [.. _app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()];

    /// <summary>The callers the matrix speaks of, each with its credential and the ids it uses.</summary>
    private sealed record Principals(string AdminEmail, string Admin, string Member, string MemberWithRight, string Outsider, string External, string ExternalCompany, string ApiKey, string CompanyId, string ProjectId, string SharedProjectId, string Mac, string Secret)
    {
        public const string Right = Contracts.CompanyRights.CheckDeviceStatus;

        public static async Task<Principals> CreateAsync(Api api)
        {
            var adminEmail = Api.NewEmail().ToLowerInvariant();
            var admin = await api.RegisterAndLoginAsync(adminEmail);
            var (companyId, projectId) = await api.CreateCompanyAsync(admin);
            var shared = await Api.Json(await api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{companyId}/projects", new { name = "Shared" }, admin));
            var sharedProjectId = shared["projectId"]!.GetValue<string>();

            async Task<string> MemberAsync(string[] rights)
            {
                var email = Api.NewEmail().ToLowerInvariant();
                var token = await api.RegisterAndLoginAsync(email);
                Assert.Equal(HttpStatusCode.Created, (await api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{companyId}/users", new { email, rights }, admin)).StatusCode);
                return token;
            }

            var member = await MemberAsync([]);
            var memberWithRight = await MemberAsync([Right]);
            var outsider = await api.RegisterAndLoginAsync();
            var external = await api.RegisterAndLoginAsync();
            var (externalCompany, _) = await api.CreateCompanyAsync(external, "Partner");
            Assert.Equal(HttpStatusCode.OK, (await api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{companyId}/projects/{sharedProjectId}/rights", new { companyId = externalCompany }, admin)).StatusCode);
            var (_, apiKey) = await ApiKeyTests.CreateKeyAsync(api, admin, companyId, "matrix", [Right]);
            var (mac, secret) = await api.RegisterHardwareAsync(Api.NewMacSuffix());
            return new Principals(adminEmail, admin, member, memberWithRight, outsider, external, externalCompany, apiKey, companyId, projectId, sharedProjectId, mac, secret);
        }
    }
}
