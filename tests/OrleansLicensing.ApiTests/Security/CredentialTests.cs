using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Orleans.Storage;
using OrleansLicensing.Grains;
using OrleansLicensing.Grains.State;

namespace OrleansLicensing.ApiTests.Security;

/// <summary>Issue 13: passwords, sign-in throttling, JWT access tokens, refresh, rotation and revocation.</summary>
public sealed class CredentialTests(SharedApp shared) : IClassFixture<SharedApp>
{
    private const string KeyA = "rotation-key-a-0123456789abcdef";
    private const string KeyB = "rotation-key-b-0123456789abcdef";

    private readonly Api _api = new(shared.App.CreateClient());

    [Fact]
    public async Task Passwords_a_stored_hash_of_the_old_format_signs_in_and_is_rewritten_in_the_Identity_V3_format()
    {
        var email = Api.NewEmail().ToLowerInvariant();
        var storage = shared.App.Services.GetRequiredKeyedService<IGrainStorage>(StorageNames.Licensing);
        var grainId = GrainId.Create("user", email);
        var old = new GrainState<UserState>(new UserState { Registered = true, DisplayName = "Old Hash", PasswordHash = LegacyHash(Api.Password) });
        await storage.WriteStateAsync("user", grainId, old);

        await _api.LoginAsync(email);

        var after = new GrainState<UserState>(new UserState());
        await storage.ReadStateAsync("user", grainId, after);
        Assert.NotNull(after.State);
        Assert.DoesNotContain("pbkdf2-sha256", after.State.PasswordHash, StringComparison.Ordinal);
        var v3 = Convert.FromBase64String(after.State.PasswordHash);
        Assert.Equal(0x01, v3[0]);
        Assert.True(System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(v3.AsSpan(5)) >= 100_000);

        // The rewritten hash still signs in, and a wrong password still fails.
        await _api.LoginAsync(email);
        await Api.AssertProblem(await Token(_api, email, "not the password"), HttpStatusCode.Unauthorized, "Unauthorized");
    }

    [Fact]
    public async Task Enumeration_an_unknown_email_and_a_wrong_password_get_the_same_answer_and_similar_work()
    {
        var known = Api.NewEmail();
        await _api.RegisterAndLoginAsync(known);
        var unknown = Api.NewEmail();

        var wrong = await Token(_api, known, "wrong password 1");
        var missing = await Token(_api, unknown, "wrong password 1");
        var wrongBody = await Api.AssertProblem(wrong, HttpStatusCode.Unauthorized, "Unauthorized");
        var missingBody = await Api.AssertProblem(missing, HttpStatusCode.Unauthorized, "Unauthorized");
        Assert.Equal(wrongBody["detail"]!.GetValue<string>(), missingBody["detail"]!.GetValue<string>());

        // Both hash once: an unknown address is not answered measurably faster.
        var wrongTimes = new List<double>();
        var missingTimes = new List<double>();
        for (var i = 0; i < 5; i++)
        {
            wrongTimes.Add(await TimeAsync(() => Token(_api, known, $"wrong password {i}")));
            missingTimes.Add(await TimeAsync(() => Token(_api, unknown, $"wrong password {i}")));
        }

        var (wrongMedian, missingMedian) = (Median(wrongTimes), Median(missingTimes));
        Assert.True(missingMedian > wrongMedian / 3, $"unknown e-mail {missingMedian:F0} ms vs wrong password {wrongMedian:F0} ms");
    }

    [Fact]
    public async Task Throttle_sign_ins_back_off_per_account_and_per_client_address_with_429_RateLimited_and_Retry_After()
    {
        await using var app = new LicensingApp("Memory", settings: new Dictionary<string, string>
        {
            ["Licensing:LoginFreeFailuresPerAccount"] = "3",
            ["Licensing:LoginFreeFailuresPerAddress"] = "8",
            ["Licensing:LoginBaseDelaySeconds"] = "30",
        });
        var api = new Api(app.CreateClient());
        var known = Api.NewEmail();
        await api.RegisterAndLoginAsync(known);

        // Per account: three free failures, the fourth earns a back-off; then even the right password waits.
        for (var i = 0; i < 4; i++)
        {
            await Api.AssertProblem(await Token(api, known, "wrong password"), HttpStatusCode.Unauthorized, "Unauthorized");
        }

        var throttled = await Token(api, known, Api.Password);
        await Api.AssertProblem(throttled, HttpStatusCode.TooManyRequests, "RateLimited");
        var retryAfter = int.Parse(Assert.Single(throttled.Headers.GetValues("Retry-After")), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 25, 30);

        // An unknown address is throttled the same way (no enumeration through the throttle).
        var unknown = Api.NewEmail();
        for (var i = 0; i < 4; i++)
        {
            await Api.AssertProblem(await Token(api, unknown, "wrong password"), HttpStatusCode.Unauthorized, "Unauthorized");
        }

        await Api.AssertProblem(await Token(api, unknown, "wrong password"), HttpStatusCode.TooManyRequests, "RateLimited");

        // Per address: eight failures over any accounts are free, the ninth (on a fresh account) earns a back-off for everyone from here.
        var fresh = Api.NewEmail();
        await api.RegisterAndLoginAsync(fresh);
        await Api.AssertProblem(await Token(api, fresh, "wrong password"), HttpStatusCode.Unauthorized, "Unauthorized");
        var blocked = await Token(api, fresh, Api.Password);
        await Api.AssertProblem(blocked, HttpStatusCode.TooManyRequests, "RateLimited");
        Assert.True(blocked.Headers.RetryAfter is not null);
    }

    [Fact]
    public async Task Tokens_are_JWTs_with_a_key_id_and_short_lifetime_and_a_refresh_token_is_used_once()
    {
        var email = Api.NewEmail();
        await _api.RegisterAndLoginAsync(email);
        var issued = await Api.Json(await Token(_api, email, Api.Password));
        var access = issued["accessToken"]!.GetValue<string>();
        var jwt = new JsonWebToken(access);
        Assert.Equal("default", jwt.Kid);
        Assert.Equal("HS256", jwt.Alg);
        Assert.Equal(email.ToLowerInvariant(), jwt.Subject);
        Assert.Equal(900, issued["expiresIn"]!.GetValue<int>());
        Assert.Equal(900, (jwt.ValidTo - jwt.IssuedAt).TotalSeconds);
        Assert.Equal("Bearer", issued["tokenType"]!.GetValue<string>());

        var refreshToken = issued["refreshToken"]!.GetValue<string>();
        var refreshed = await _api.SendAsync(HttpMethod.Post, "/api/v1/auth/refresh", new { refreshToken });
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        var next = await Api.Json(refreshed);
        var nextAccess = next["accessToken"]!.GetValue<string>();
        Assert.NotEqual(access, nextAccess);
        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Get, "/api/v1/me", null, nextAccess)).StatusCode);

        // A refresh token presented a second time is theft: refused, and every token of the account ends.
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Post, "/api/v1/auth/refresh", new { refreshToken }), HttpStatusCode.Unauthorized, "Unauthorized");
        await Eventually(async () => (await _api.SendAsync(HttpMethod.Get, "/api/v1/me", null, nextAccess)).StatusCode == HttpStatusCode.Unauthorized);
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Post, "/api/v1/auth/refresh", new { refreshToken = next["refreshToken"]!.GetValue<string>() }), HttpStatusCode.Unauthorized, "Unauthorized");
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Post, "/api/v1/auth/refresh", new { refreshToken = "rt_" + new string('A', 43) }), HttpStatusCode.Unauthorized, "Unauthorized");
    }

    [Fact]
    public async Task Tokens_forged_tampered_or_unsigned_are_refused()
    {
        var token = await _api.RegisterAndLoginAsync();
        var parts = token.Split('.');
        var unsigned = Base64Url("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + parts[1] + ".";
        var otherKey = new JsonWebTokenHandler().CreateToken(new Microsoft.IdentityModel.Tokens.SecurityTokenDescriptor
        {
            Issuer = "orleans-licensing",
            Audience = "orleans-licensing-api",
            Claims = new Dictionary<string, object> { ["sub"] = "vendor@example.com", ["gen"] = 0 },
            SigningCredentials = new(new Microsoft.IdentityModel.Tokens.SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32)) { KeyId = "default" }, "HS256"),
        });
        foreach (var bad in new[] { unsigned, parts[0] + "." + parts[1] + "." + parts[2][..^2] + "AA", otherKey, parts[0] + "." + Base64Url("{\"sub\":\"x@example.com\"}") + "." + parts[2] })
        {
            await Api.AssertProblem(await _api.SendAsync(HttpMethod.Get, "/api/v1/me", null, bad), HttpStatusCode.Unauthorized, "Unauthorized");
        }
    }

    [Fact]
    public async Task Rotation_a_new_signing_key_takes_over_without_logging_anyone_out_across_two_gateways()
    {
        await using var node = new LicensingApp("Memory", settings: new Dictionary<string, string> { ["Licensing:TokenSigningKeys:a"] = KeyA, ["Licensing:ActiveTokenKeyId"] = "a" });
        var first = new Api(node.CreateClient());
        var email = Api.NewEmail();
        var oldToken = await first.RegisterAndLoginAsync(email);
        Assert.Equal("a", new JsonWebToken(oldToken).Kid);

        // Step 1 and 2 of a rotation: a gateway that knows both keys and signs with the new one.
        await using (var rotated = await SecondGateway.StartAsync(node, new Dictionary<string, string?>
        {
            ["Licensing:TokenSigningKeys:a"] = KeyA,
            ["Licensing:TokenSigningKeys:b"] = KeyB,
            ["Licensing:ActiveTokenKeyId"] = "b",
        }))
        {
            var second = new Api(rotated.Client);
            var newToken = await second.LoginAsync(email);
            Assert.Equal("b", new JsonWebToken(newToken).Kid);
            Assert.Equal(HttpStatusCode.OK, (await second.SendAsync(HttpMethod.Get, "/api/v1/me", null, oldToken)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await second.SendAsync(HttpMethod.Get, "/api/v1/me", null, newToken)).StatusCode);
        }

        // Step 3: the old key removed; tokens it signed are refused, the new key's are not.
        await using var retired = await SecondGateway.StartAsync(node, new Dictionary<string, string?> { ["Licensing:TokenSigningKeys:b"] = KeyB, ["Licensing:ActiveTokenKeyId"] = "b" });
        var third = new Api(retired.Client);
        var latest = await third.LoginAsync(email);
        await Api.AssertProblem(await third.SendAsync(HttpMethod.Get, "/api/v1/me", null, oldToken), HttpStatusCode.Unauthorized, "Unauthorized");
        Assert.Equal(HttpStatusCode.OK, (await third.SendAsync(HttpMethod.Get, "/api/v1/me", null, latest)).StatusCode);
    }

    [Fact]
    public async Task Revocation_password_change_lock_and_removal_refuse_the_token_within_a_second_on_both_gateways()
    {
        await using var node = new LicensingApp("Memory", settings: new Dictionary<string, string> { ["Licensing:TokenSigningKey"] = KeyA });
        await using var gateway = await SecondGateway.StartAsync(node, new Dictionary<string, string?> { ["Licensing:TokenSigningKey"] = KeyA });
        var a = new Api(node.CreateClient());
        var b = new Api(gateway.Client);

        // Password change on gateway A; the token is refused on A and B.
        var email = Api.NewEmail();
        var token = await a.RegisterAndLoginAsync(email);
        Assert.Equal(HttpStatusCode.OK, (await b.SendAsync(HttpMethod.Get, "/api/v1/me", null, token)).StatusCode);
        var changed = await a.SendAsync(HttpMethod.Patch, "/api/v1/me", new { currentPassword = Api.Password, newPassword = "another password" }, token);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        await RefusedWithinASecondAsync([a, b], token);

        // Lock and removal by a company admin.
        var adminToken = await a.RegisterAndLoginAsync();
        var (companyId, _) = await a.CreateCompanyAsync(adminToken);
        foreach (var change in new[] { "lock", "remove" })
        {
            var memberEmail = Api.NewEmail().ToLowerInvariant();
            var memberToken = await a.RegisterAndLoginAsync(memberEmail);
            Assert.Equal(HttpStatusCode.Created, (await a.SendAsync(HttpMethod.Post, $"/api/v1/companies/{companyId}/users", new { email = memberEmail }, adminToken)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await b.SendAsync(HttpMethod.Get, "/api/v1/me", null, memberToken)).StatusCode);
            var done = change == "lock"
                ? await b.SendAsync(HttpMethod.Patch, $"/api/v1/companies/{companyId}/users/{memberEmail}", new { locked = true }, adminToken)
                : await b.SendAsync(HttpMethod.Delete, $"/api/v1/companies/{companyId}/users/{memberEmail}", null, adminToken);
            Assert.True(done.IsSuccessStatusCode, $"{change}: {(int)done.StatusCode}");
            await RefusedWithinASecondAsync([a, b], memberToken);

            // Signing in again works (the lock is per company; the account is not).
            Assert.Equal(HttpStatusCode.OK, (await b.SendAsync(HttpMethod.Get, "/api/v1/me", null, await b.LoginAsync(memberEmail))).StatusCode);
        }

        // The admin was not affected.
        Assert.Equal(HttpStatusCode.OK, (await b.SendAsync(HttpMethod.Get, "/api/v1/me", null, adminToken)).StatusCode);
    }

    private static async Task RefusedWithinASecondAsync(Api[] gateways, string token)
    {
        var clock = Stopwatch.StartNew();
        foreach (var gateway in gateways)
        {
            while ((await gateway.SendAsync(HttpMethod.Get, "/api/v1/me", null, token)).StatusCode != HttpStatusCode.Unauthorized)
            {
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"a revoked token was still accepted after {clock.ElapsedMilliseconds} ms");
                await Task.Delay(25, TestContext.Current.CancellationToken);
            }
        }

        await Api.AssertProblem(await gateways[^1].SendAsync(HttpMethod.Get, "/api/v1/me", null, token), HttpStatusCode.Unauthorized, "Unauthorized");
    }

    private static Task<HttpResponseMessage> Token(Api api, string email, string password) =>
        api.SendAsync(HttpMethod.Post, "/api/v1/auth/token", new { email, password });

    private static async Task<double> TimeAsync(Func<Task> action)
    {
        var clock = Stopwatch.StartNew();
        await action();
        return clock.Elapsed.TotalMilliseconds;
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private static async Task Eventually(Func<Task<bool>> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), "the condition did not hold within 5 s");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    private static string Base64Url(string text) => Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(text);

    /// <summary>The home-made format used before issue 13: <c>pbkdf2-sha256$iterations$salt$hash</c>.</summary>
    private static string LegacyHash(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, 100_000, HashAlgorithmName.SHA256, 32);
        return $"pbkdf2-sha256$100000${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }
}
