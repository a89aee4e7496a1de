using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Xml.Linq;

namespace OrleansLicensing.ApiTests;

/// <summary>Projects, balances and activation keys over HTTP (R-P1, R-P3, R-P5, R-P6, R-K2, R-K3, R-K4).</summary>
public sealed class ProjectsAndKeysTests(SharedApp shared) : IAsyncLifetime
{
    private const string Port8 = "PBX-Port8*20";

    private readonly Api _api = new(shared.App.CreateClient());
    private readonly string _email = Api.NewEmail();
    private string _token = string.Empty;
    private string _companyId = string.Empty;
    private string _defaultProjectId = string.Empty;

    private string Company => $"/api/v1/companies/{_companyId}";

    public async ValueTask InitializeAsync()
    {
        _token = await _api.RegisterAndLoginAsync(_email);
        (_companyId, _defaultProjectId) = await _api.CreateCompanyAsync(_token);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task R_P1_rename_and_describe_keep_project_names_unique_case_insensitively()
    {
        var alpha = await CreateProjectAsync("Alpha");
        var beta = await CreateProjectAsync("Beta");

        await Api.AssertProblem(await Patch($"{Company}/projects/{beta}", new { name = "ALPHA" }), HttpStatusCode.Conflict, "DuplicateProjectName");
        await Api.AssertProblem(await Patch($"{Company}/projects/{beta}", new { name = "default" }), HttpStatusCode.Conflict, "DuplicateProjectName");
        await Api.AssertProblem(await Patch($"{Company}/projects/{beta}", new { name = "  " }), HttpStatusCode.BadRequest, "ValidationFailed");
        Assert.Equal("Beta", (await GetJson($"{Company}/projects/{beta}"))["name"]!.GetValue<string>());

        var renamed = await Patch($"{Company}/projects/{beta}", new { name = "Gamma", description = "the third" });
        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        var project = await GetJson($"{Company}/projects/{beta}");
        Assert.Equal("Gamma", project["name"]!.GetValue<string>());
        Assert.Equal("the third", project["description"]!.GetValue<string>());

        // Its own name in another case is no clash; the old name is free again; "" clears the description.
        Assert.Equal(HttpStatusCode.OK, (await Patch($"{Company}/projects/{beta}", new { name = "GAMMA", description = "" })).StatusCode);
        Assert.Null((await GetJson($"{Company}/projects/{beta}"))["description"]);
        Assert.Equal(HttpStatusCode.Created, (await _api.SendAsync(HttpMethod.Post, $"{Company}/projects", new { name = "beta" }, _token)).StatusCode);
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Post, $"{Company}/projects", new { name = "gamma" }, _token), HttpStatusCode.Conflict, "DuplicateProjectName");

        // The DEFAULT project can be renamed.
        Assert.Equal(HttpStatusCode.OK, (await Patch($"{Company}/projects/{_defaultProjectId}", new { name = "Main" })).StatusCode);
        var names = (await GetJson($"{Company}/projects")).AsArray().Select(p => p!["name"]!.GetValue<string>()).ToArray();
        Assert.Equal(["Alpha", "beta", "GAMMA", "Main"], names);
        Assert.NotEqual(alpha, beta);
    }

    [Fact]
    public async Task R_P3_an_empty_project_is_deleted_and_is_gone_afterwards()
    {
        var project = await CreateProjectAsync("Short-lived");
        Assert.Equal(HttpStatusCode.NoContent, (await _api.SendAsync(HttpMethod.Delete, $"{Company}/projects/{project}", null, _token)).StatusCode);

        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Get, $"{Company}/projects/{project}", null, _token), HttpStatusCode.NotFound, "NotFound");
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Delete, $"{Company}/projects/{project}", null, _token), HttpStatusCode.NotFound, "NotFound");
        Assert.DoesNotContain((await GetJson($"{Company}/projects")).AsArray(), p => p!["projectId"]!.GetValue<string>() == project);

        // Nothing can be redeemed into it any more; the key stays unredeemed.
        var key = await _api.MintKeyAsync(new Dictionary<string, int> { [Port8] = 2 });
        await Api.AssertProblem(await Redeem(project, key), HttpStatusCode.NotFound, "NotFound");
        Assert.Equal(HttpStatusCode.Created, (await Redeem(_defaultProjectId, key)).StatusCode);

        // Its name is free again.
        Assert.Equal(HttpStatusCode.Created, (await _api.SendAsync(HttpMethod.Post, $"{Company}/projects", new { name = "short-lived" }, _token)).StatusCode);
    }

    [Fact]
    public async Task R_P3_delete_is_refused_while_activation_keys_balance_or_devices_remain()
    {
        var withKey = await CreateProjectAsync("Has a key");
        Assert.Equal(HttpStatusCode.Created, (await Redeem(withKey, await _api.MintKeyAsync(new Dictionary<string, int> { [Port8] = 1 }))).StatusCode);
        var refused = await Api.AssertProblem(await _api.SendAsync(HttpMethod.Delete, $"{Company}/projects/{withKey}", null, _token), HttpStatusCode.Conflict, "ProjectNotEmpty");
        var blocking = refused["blocking"]!.AsArray().Select(b => b!.GetValue<string>()).ToArray();
        Assert.Equal(["activationKeys", "balance"], blocking);
        Assert.Equal(1, (await _api.BalanceAsync(_token, _companyId, withKey))[Port8]!.GetValue<int>());

        var withDevice = await CreateProjectAsync("Has a device");
        var (mac, _) = await _api.RegisterHardwareAsync(Api.NewMacSuffix());
        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Post, $"{Company}/projects/{withDevice}/devices", new { macs = new[] { mac } }, _token)).StatusCode);
        refused = await Api.AssertProblem(await _api.SendAsync(HttpMethod.Delete, $"{Company}/projects/{withDevice}", null, _token), HttpStatusCode.Conflict, "ProjectNotEmpty");
        Assert.Equal(["devices"], refused["blocking"]!.AsArray().Select(b => b!.GetValue<string>()).ToArray());
        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Get, $"{Company}/projects/{withDevice}", null, _token)).StatusCode);

        // An own key created from a project holds it too, even after its balance is spent on it.
        var withOwnKey = await CreateProjectAsync("Made an own key");
        await TransferThroughOwnKeyAsync(withOwnKey, 1);
        var ownKey = await CreateOwnKeyAsync(withOwnKey, 1);
        Assert.Empty(await _api.BalanceAsync(_token, _companyId, withOwnKey));
        refused = await Api.AssertProblem(await _api.SendAsync(HttpMethod.Delete, $"{Company}/projects/{withOwnKey}", null, _token), HttpStatusCode.Conflict, "ProjectNotEmpty");
        Assert.Contains("activationKeys", refused["blocking"]!.AsArray().Select(b => b!.GetValue<string>()));
        Assert.NotEmpty(ownKey);
    }

    [Fact]
    public async Task R_P3_the_default_project_cannot_be_deleted()
    {
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Delete, $"{Company}/projects/{_defaultProjectId}", null, _token), HttpStatusCode.Conflict, "Conflict");
        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Get, $"{Company}/projects/{_defaultProjectId}", null, _token)).StatusCode);
    }

    [Fact]
    public async Task R_P3_a_delete_racing_a_redeem_never_loses_units()
    {
        for (var round = 0; round < 6; round++)
        {
            var project = await CreateProjectAsync($"Race {round}");
            var key = await _api.MintKeyAsync(new Dictionary<string, int> { [Port8] = 3 });
            var redeem = Redeem(project, key);
            var delete = _api.SendAsync(HttpMethod.Delete, $"{Company}/projects/{project}", null, _token);
            var (redeemed, deleted) = (await redeem, await delete);

            if (deleted.StatusCode == HttpStatusCode.NoContent)
            {
                // The redeem lost: it changed nothing, so the key can still be redeemed elsewhere.
                Assert.True(redeemed.StatusCode is HttpStatusCode.NotFound, $"redeem after delete: {(int)redeemed.StatusCode}");
                Assert.Equal(HttpStatusCode.Created, (await Redeem(_defaultProjectId, key)).StatusCode);
            }
            else
            {
                await Api.AssertProblem(deleted, HttpStatusCode.Conflict, "ProjectNotEmpty");
                Assert.Equal(HttpStatusCode.Created, redeemed.StatusCode);
                Assert.Equal(3, (await _api.BalanceAsync(_token, _companyId, project))[Port8]!.GetValue<int>());
            }
        }
    }

    [Fact]
    public async Task R_P5_the_company_balance_sums_its_own_projects_only()
    {
        var second = await CreateProjectAsync("Second");
        Assert.Equal(HttpStatusCode.Created, (await Redeem(_defaultProjectId, await _api.MintKeyAsync(new Dictionary<string, int> { [Port8] = 2, ["SSC"] = 10 }))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await Redeem(second, await _api.MintKeyAsync(new Dictionary<string, int> { [Port8] = 5 }))).StatusCode);

        // Another company's units are not ours.
        var other = await _api.RegisterAndLoginAsync();
        var (otherCompany, otherProject) = await _api.CreateCompanyAsync(other, "Other");
        Assert.Equal(HttpStatusCode.Created, (await _api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{otherCompany}/projects/{otherProject}/activations", new { key = await _api.MintKeyAsync(new Dictionary<string, int> { [Port8] = 100 }) }, other)).StatusCode);

        var balance = await GetJson($"{Company}/balance");
        Assert.Equal(_companyId, balance["companyId"]!.GetValue<string>());
        Assert.Equal(7, balance["licenses"]![Port8]!.GetValue<int>());
        Assert.Equal(10, balance["licenses"]!["SSC"]!.GetValue<int>());
        Assert.Equal(2, balance["licenses"]!.AsObject().Count);
    }

    [Fact]
    public async Task R_P6_a_short_balance_names_covering_projects_draws_from_named_ones_in_order_and_refuses_external_ones()
    {
        var second = await CreateProjectAsync("Reserve");
        var third = await CreateProjectAsync("Reserve 2");
        Assert.Equal(HttpStatusCode.Created, (await Redeem(_defaultProjectId, await _api.MintKeyAsync(new Dictionary<string, int> { [Port8] = 1 }))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await Redeem(second, await _api.MintKeyAsync(new Dictionary<string, int> { [Port8] = 2 }))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await Redeem(third, await _api.MintKeyAsync(new Dictionary<string, int> { [Port8] = 5 }))).StatusCode);
        var (mac, _) = await _api.RegisterHardwareAsync(Api.NewMacSuffix());
        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Post, $"{Company}/projects/{_defaultProjectId}/devices", new { macs = new[] { mac } }, _token)).StatusCode);
        var path = $"{Company}/devices/{mac}/licenses";

        var shortage = await Api.AssertProblem(await _api.SendAsync(HttpMethod.Post, path, new { version = "V13", licenses = new Dictionary<string, int> { [Port8] = 4 } }, _token), HttpStatusCode.Conflict, "InsufficientBalance");
        var candidates = shortage["projects"]!.AsArray().Select(p => p!.GetValue<string>()).Order().ToArray();
        Assert.Equal(new[] { second, third }.Order(), candidates);

        // A project of another company is refused, and nothing moved.
        var other = await _api.RegisterAndLoginAsync();
        var (_, foreignProject) = await _api.CreateCompanyAsync(other, "Foreign");
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Post, path, new { version = "V13", licenses = new Dictionary<string, int> { [Port8] = 4 }, fromProjects = new[] { foreignProject } }, _token), HttpStatusCode.Forbidden, "Forbidden");
        Assert.Equal(1, (await _api.BalanceAsync(_token, _companyId, _defaultProjectId))[Port8]!.GetValue<int>());

        // The device's project first, then the named ones in order.
        var added = await _api.SendAsync(HttpMethod.Post, path, new { version = "V13", licenses = new Dictionary<string, int> { [Port8] = 4 }, fromProjects = new[] { second, third } }, _token);
        Assert.Equal(HttpStatusCode.OK, added.StatusCode);
        var debited = (await Api.Json(added))["debited"]!.AsArray().Select(d => (d!["projectId"]!.GetValue<string>(), d["licenses"]![Port8]!.GetValue<int>())).ToArray();
        Assert.Equal([(_defaultProjectId, 1), (second, 2), (third, 1)], debited);
        Assert.Equal(4, (await _api.BalanceAsync(_token, _companyId, third))[Port8]!.GetValue<int>());
        Assert.Empty(await _api.BalanceAsync(_token, _companyId, second));

        // With the device's project empty (only read, D118) the named ones give everything; and
        // once it holds some again, it gives first again (that attempt takes its write lock).
        var fromThird = await _api.SendAsync(HttpMethod.Post, path, new { version = "V13", licenses = new Dictionary<string, int> { [Port8] = 2 }, fromProjects = new[] { second, third } }, _token);
        Assert.Equal(HttpStatusCode.OK, fromThird.StatusCode);
        Assert.Equal([(third, 2)], (await Api.Json(fromThird))["debited"]!.AsArray().Select(d => (d!["projectId"]!.GetValue<string>(), d["licenses"]![Port8]!.GetValue<int>())));
        Assert.Equal(HttpStatusCode.Created, (await Redeem(_defaultProjectId, await _api.MintKeyAsync(new Dictionary<string, int> { [Port8] = 1 }))).StatusCode);
        var homeFirst = await _api.SendAsync(HttpMethod.Post, path, new { version = "V13", licenses = new Dictionary<string, int> { [Port8] = 2 }, fromProjects = new[] { third } }, _token);
        Assert.Equal(HttpStatusCode.OK, homeFirst.StatusCode);
        Assert.Equal([(_defaultProjectId, 1), (third, 1)], (await Api.Json(homeFirst))["debited"]!.AsArray().Select(d => (d!["projectId"]!.GetValue<string>(), d["licenses"]![Port8]!.GetValue<int>())));
        Assert.Empty(await _api.BalanceAsync(_token, _companyId, _defaultProjectId));
        Assert.Equal(1, (await _api.BalanceAsync(_token, _companyId, third))[Port8]!.GetValue<int>());
    }

    [Fact]
    public async Task R_K2_redeemed_keys_are_listed_per_project_and_per_company_with_comment_and_time()
    {
        var second = await CreateProjectAsync("Branch");
        var first = await _api.MintKeyAsync(new Dictionary<string, int> { [Port8] = 2 });
        var later = await _api.MintKeyAsync(new Dictionary<string, int> { ["SSC"] = 4 });
        var before = DateTimeOffset.UtcNow.AddMinutes(-1);
        Assert.Equal(HttpStatusCode.Created, (await _api.SendAsync(HttpMethod.Post, $"{Company}/projects/{_defaultProjectId}/activations", new { key = first, comment = "order 4711" }, _token)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await Redeem(second, later)).StatusCode);

        var listed = (await GetJson($"{Company}/projects/{_defaultProjectId}/activations")).AsArray();
        var entry = Assert.Single(listed)!;
        Assert.Equal(first, entry["key"]!.GetValue<string>());
        Assert.Equal("order 4711", entry["comment"]!.GetValue<string>());
        Assert.Equal(2, entry["licenses"]![Port8]!.GetValue<int>());
        Assert.Equal(_defaultProjectId, entry["projectId"]!.GetValue<string>());
        Assert.True(entry["redeemedAt"]!.GetValue<DateTimeOffset>() > before);
        Assert.Equal(_email.ToLowerInvariant(), entry["redeemedBy"]!.GetValue<string>());

        var all = (await GetJson($"{Company}/activations")).AsArray().Select(k => (k!["key"]!.GetValue<string>(), k["projectId"]!.GetValue<string>())).ToArray();
        Assert.Equal([(later, second), (first, _defaultProjectId)], all);

        // A refused second redeem adds nothing to the list.
        await Api.AssertProblem(await Redeem(second, first), HttpStatusCode.Conflict, "KeyAlreadyAssigned");
        Assert.Single((await GetJson($"{Company}/projects/{second}/activations")).AsArray());
    }

    [Fact]
    public async Task R_K3_own_keys_are_listed_and_updated_only_while_unassigned_negative_units_return_to_the_balance()
    {
        Assert.Equal(HttpStatusCode.Created, (await Redeem(_defaultProjectId, await _api.MintKeyAsync(new Dictionary<string, int> { [Port8] = 10 }))).StatusCode);
        var key = await CreateOwnKeyAsync(_defaultProjectId, 3, comment: "for Contoso", orderReference: "PO-99");
        Assert.Equal(7, await Port8Balance(_defaultProjectId));

        Assert.Equal(HttpStatusCode.OK, (await Patch($"{Company}/projects/{_defaultProjectId}/own-keys/{key}", new { licenses = new Dictionary<string, int> { [Port8] = 2 } })).StatusCode);
        Assert.Equal(5, await Port8Balance(_defaultProjectId));
        var shrunk = await Patch($"{Company}/projects/{_defaultProjectId}/own-keys/{key}", new { licenses = new Dictionary<string, int> { [Port8] = -4 } });
        Assert.Equal(HttpStatusCode.OK, shrunk.StatusCode);
        Assert.Equal(1, (await Api.Json(shrunk))["licenses"]![Port8]!.GetValue<int>());
        Assert.Equal(9, await Port8Balance(_defaultProjectId));
        await Api.AssertProblem(await Patch($"{Company}/projects/{_defaultProjectId}/own-keys/{key}", new { licenses = new Dictionary<string, int> { [Port8] = -2 } }), HttpStatusCode.BadRequest, "InvalidUnits");
        await Api.AssertProblem(await Patch($"{Company}/projects/{_defaultProjectId}/own-keys/{key}", new { licenses = new Dictionary<string, int> { [Port8] = 50 } }), HttpStatusCode.Conflict, "InsufficientBalance");
        Assert.Equal(9, await Port8Balance(_defaultProjectId));

        var listed = Assert.Single((await GetJson($"{Company}/projects/{_defaultProjectId}/own-keys")).AsArray())!;
        Assert.Equal(key, listed["key"]!.GetValue<string>());
        Assert.Equal("for Contoso", listed["comment"]!.GetValue<string>());
        Assert.Equal("PO-99", listed["orderReference"]!.GetValue<string>());
        Assert.Equal(1, listed["licenses"]![Port8]!.GetValue<int>());
        Assert.False(listed["redeemed"]!.GetValue<bool>());

        // A deleted key returns its units and leaves the list.
        var spare = await CreateOwnKeyAsync(_defaultProjectId, 4);
        Assert.Equal(5, await Port8Balance(_defaultProjectId));
        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Delete, $"{Company}/projects/{_defaultProjectId}/own-keys/{spare}", null, _token)).StatusCode);
        Assert.Equal(9, await Port8Balance(_defaultProjectId));
        Assert.Single((await GetJson($"{Company}/projects/{_defaultProjectId}/own-keys")).AsArray());
    }

    [Fact]
    public async Task R_K3_another_company_redeeming_an_own_key_transfers_the_licenses_and_freezes_the_key()
    {
        Assert.Equal(HttpStatusCode.Created, (await Redeem(_defaultProjectId, await _api.MintKeyAsync(new Dictionary<string, int> { [Port8] = 6 }))).StatusCode);
        var key = await CreateOwnKeyAsync(_defaultProjectId, 4);

        var buyer = await _api.RegisterAndLoginAsync();
        var (buyerCompany, buyerProject) = await _api.CreateCompanyAsync(buyer, "Buyer");
        var redeemed = await _api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{buyerCompany}/projects/{buyerProject}/activations", new { key }, buyer);
        Assert.Equal(HttpStatusCode.Created, redeemed.StatusCode);
        Assert.Equal(4, (await _api.BalanceAsync(buyer, buyerCompany, buyerProject))[Port8]!.GetValue<int>());
        Assert.Equal(2, await Port8Balance(_defaultProjectId));

        // Once redeemed, the key can neither change nor return its units.
        await Api.AssertProblem(await Patch($"{Company}/projects/{_defaultProjectId}/own-keys/{key}", new { licenses = new Dictionary<string, int> { [Port8] = -1 } }), HttpStatusCode.Conflict, "KeyAlreadyAssigned");
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Delete, $"{Company}/projects/{_defaultProjectId}/own-keys/{key}", null, _token), HttpStatusCode.Conflict, "KeyAlreadyAssigned");
        Assert.Equal(2, await Port8Balance(_defaultProjectId));
        Assert.True(Assert.Single((await GetJson($"{Company}/projects/{_defaultProjectId}/own-keys")).AsArray())!["redeemed"]!.GetValue<bool>());

        // The buyer cannot touch the seller's key.
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Delete, $"/api/v1/companies/{buyerCompany}/projects/{buyerProject}/own-keys/{key}", null, buyer), HttpStatusCode.NotFound, "NotFound");
    }

    [Fact]
    public async Task R_K4_certificates_verify_with_the_published_key_for_redeemer_and_creator_and_are_404_for_others()
    {
        var minted = await _api.MintKeyAsync(new Dictionary<string, int> { [Port8] = 5 }, "SO-4242");
        Assert.Equal(HttpStatusCode.Created, (await Redeem(_defaultProjectId, minted)).StatusCode);
        var publicKey = await PublicKeyAsync();

        var certificate = await GetJson($"{Company}/keys/{minted}/certificate");
        Assert.Equal(minted, certificate["key"]!.GetValue<string>());
        Assert.Equal("SO-4242", certificate["orderNumber"]!.GetValue<string>());
        Assert.Equal(_defaultProjectId, certificate["redeemingProjectId"]!.GetValue<string>());
        Assert.Equal("DEFAULT", certificate["redeemingProjectName"]!.GetValue<string>());
        var document = certificate["document"]!.GetValue<string>();
        Assert.True(Verifies(document, publicKey));
        var xml = XElement.Parse(document);
        Assert.Equal(minted, (string?)xml.Attribute("key"));
        Assert.Equal("5", (string?)xml.Element("license")!.Attribute("units"));

        // A changed document no longer verifies.
        Assert.False(Verifies(document.Replace("units=\"5\"", "units=\"50\"", StringComparison.Ordinal), publicKey));

        // Printable: the same facts as text, with the signed document.
        var request = new HttpRequestMessage(HttpMethod.Get, $"{Company}/keys/{minted}/certificate");
        request.Headers.Authorization = new("Bearer", _token);
        request.Headers.Accept.ParseAdd("text/plain");
        var text = await _api.Http.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, text.StatusCode);
        Assert.Equal("text/plain", text.Content.Headers.ContentType?.MediaType);
        var body = await text.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains(minted, body, StringComparison.Ordinal);
        Assert.Contains("SO-4242", body, StringComparison.Ordinal);
        Assert.Contains("<licenseCertificate", body, StringComparison.Ordinal);

        // An own key: its creator and, once redeemed, the redeemer get it; others get 404.
        var own = await CreateOwnKeyAsync(_defaultProjectId, 2, orderReference: "PO-7", orderNumber: "OWN-1");
        var buyer = await _api.RegisterAndLoginAsync();
        var (buyerCompany, buyerProject) = await _api.CreateCompanyAsync(buyer, "Buyer");
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{buyerCompany}/keys/{own}/certificate", null, buyer), HttpStatusCode.NotFound, "NotFound");
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{buyerCompany}/keys/{minted}/certificate", null, buyer), HttpStatusCode.NotFound, "NotFound");
        Assert.Equal(HttpStatusCode.Created, (await _api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{buyerCompany}/projects/{buyerProject}/activations", new { key = own }, buyer)).StatusCode);
        foreach (var (company, token) in new[] { (buyerCompany, buyer), (_companyId, _token) })
        {
            var ownCertificate = await Api.Json(await _api.SendAsync(HttpMethod.Get, $"/api/v1/companies/{company}/keys/{own}/certificate", null, token));
            Assert.Equal("PO-7", ownCertificate["orderReference"]!.GetValue<string>());
            Assert.Equal("OWN-1", ownCertificate["orderNumber"]!.GetValue<string>());
            Assert.Equal(buyerProject, ownCertificate["redeemingProjectId"]!.GetValue<string>());
            Assert.True(Verifies(ownCertificate["document"]!.GetValue<string>(), publicKey));
        }

        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Get, $"{Company}/keys/ABCDE-FGHJK-MNPQR-STVWX-YZ012/certificate", null, _token), HttpStatusCode.NotFound, "NotFound");
    }

    /// <summary>Verifies a signed document as a client would: the signature element removed, the rest serialised without formatting.</summary>
    private static bool Verifies(string document, ECDsa publicKey)
    {
        var root = XElement.Parse(document);
        var signature = root.Element("signature")!;
        Assert.Equal("ECDSA-P256-SHA256", (string?)signature.Attribute("algorithm"));
        signature.Remove();
        return publicKey.VerifyData(Encoding.UTF8.GetBytes(root.ToString(SaveOptions.DisableFormatting)), Convert.FromBase64String(signature.Value), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
    }

    private async Task<ECDsa> PublicKeyAsync()
    {
        var published = await Api.Json(await _api.SendAsync(HttpMethod.Get, "/api/v1/catalog/signing-key", null));
        var key = ECDsa.Create();
        key.ImportFromPem(published["publicKeyPem"]!.GetValue<string>());
        return key;
    }

    /// <summary>Gives a project units by way of an own key from the default project, redeemed into it.</summary>
    private async Task TransferThroughOwnKeyAsync(string projectId, int units)
    {
        Assert.Equal(HttpStatusCode.Created, (await Redeem(_defaultProjectId, await _api.MintKeyAsync(new Dictionary<string, int> { [Port8] = units }))).StatusCode);
        var key = await CreateOwnKeyAsync(_defaultProjectId, units);
        Assert.Equal(HttpStatusCode.Created, (await Redeem(projectId, key)).StatusCode);
    }

    private async Task<string> CreateOwnKeyAsync(string projectId, int units, string? comment = null, string? orderReference = null, string? orderNumber = null)
    {
        var created = await _api.SendAsync(HttpMethod.Post, $"{Company}/projects/{projectId}/own-keys",
            new { licenses = new Dictionary<string, int> { [Port8] = units }, comment, orderReference, orderNumber }, _token);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await Api.Json(created))["key"]!.GetValue<string>();
    }

    private async Task<int> Port8Balance(string projectId) =>
        (await _api.BalanceAsync(_token, _companyId, projectId))[Port8]?.GetValue<int>() ?? 0;

    private async Task<string> CreateProjectAsync(string name)
    {
        var created = await _api.SendAsync(HttpMethod.Post, $"{Company}/projects", new { name }, _token);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await Api.Json(created))["projectId"]!.GetValue<string>();
    }

    private Task<HttpResponseMessage> Redeem(string projectId, string key) =>
        _api.SendAsync(HttpMethod.Post, $"{Company}/projects/{projectId}/activations", new { key }, _token);

    private Task<HttpResponseMessage> Patch(string path, object body) => _api.SendAsync(HttpMethod.Patch, path, body, _token);

    private async Task<JsonNode> GetJson(string path)
    {
        var response = await _api.SendAsync(HttpMethod.Get, path, null, _token);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }
}
