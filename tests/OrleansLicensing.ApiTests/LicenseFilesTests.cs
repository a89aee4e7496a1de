using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using static OrleansLicensing.ApiTests.LicenseFileTools;

namespace OrleansLicensing.ApiTests;

/// <summary>License files (R-V2..R-V4) and invalidation (R-V5) over HTTP; formats in docs/license-files.md.</summary>
public sealed class LicenseFilesTests(DeviceOpsApp node) : IClassFixture<DeviceOpsApp>
{
    private const string Port8x20 = "PBX-Port8*20";
    private const string Pbx7 = "PBX-PBX7#15";
    private const string Mobility = "PBX-Mobility";
    private const string Relay = "Relay-PRI";
    private const string Warranty = "Warranty";

    private readonly Api _api = new(node.App.CreateClient());

    private static async Task<JsonArray> BindAsync(DeviceCompany company, string mac, string version, Dictionary<string, int> licenses, string? ssaEndDate = null)
    {
        var response = await company.PostAsync($"/devices/{mac}/licenses", new { version, licenses, ssaEndDate });
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return (await Api.Json(response))["lots"]!.AsArray();
    }

    private static async Task<JsonNode> DeviceAsync(DeviceCompany company, string mac)
    {
        var response = await company.Api.SendAsync(HttpMethod.Get, $"{company.Base}/devices/{mac}", null, company.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await Api.Json(response);
    }

    private static async Task<JsonArray> FreePoolAsync(DeviceCompany company)
    {
        var response = await company.Api.SendAsync(HttpMethod.Get, $"{company.Base}/projects/{company.ProjectId}/free-licenses", null, company.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await Api.Json(response)).AsArray();
    }

    private static Task<HttpResponseMessage> UploadAsync(DeviceCompany company, string mac, string document) =>
        company.PostAsync($"/devices/{mac}/invalidation", new { document });

    private static Task<HttpResponseMessage> DownloadResponseAsync(DeviceCompany company, string mac, string version, bool? encrypted = null) =>
        company.Api.SendAsync(HttpMethod.Get, $"{company.Base}/devices/{mac}/license-file?version={version}{(encrypted is { } e ? $"&encrypted={(e ? "true" : "false")}" : string.Empty)}", null, company.Token);

    private static string[] NotReturnable(JsonNode device) => [.. device["notReturnableLots"]!.AsArray().Select(n => n!.GetValue<string>())];

    [Fact]
    public async Task R_V2_a_downloaded_file_verifies_with_openssl_and_the_published_pem_and_one_flipped_byte_fails()
    {
        node.Clock.SetDay(new DateOnly(2031, 3, 1));
        var company = await DeviceCompany.CreateAsync(_api);
        await company.FundAsync(new() { [Port8x20] = 1, [Relay] = 1 });
        var (mac, _) = await DeviceWithCertificateAsync(company, null);
        await BindAsync(company, mac, "V13", new() { [Port8x20] = 1, [Relay] = 1 });

        var file = await DownloadAsync(company, mac, "V13", encrypted: false);
        var keys = await SigningKeysAsync(_api);
        var pem = keys["publicKeyPem"]!.GetValue<string>();
        Assert.Equal("DER", keys["signatureEncoding"]!.GetValue<string>());
        var (signed, signature, keyId) = Split(file);
        Assert.Equal(keys["keyId"]!.GetValue<string>(), keyId);
        Assert.Contains(keys["keys"]!.AsArray(), k => k!["keyId"]!.GetValue<string>() == keyId && k["current"]!.GetValue<bool>() && k["publicKeyPem"]!.GetValue<string>() == pem);

        Assert.True(await OpensslVerifiesAsync(pem, signed, signature));

        // One flipped bit of one byte of the signed part (in the units of a lot), and openssl refuses.
        var units = Encoding.UTF8.GetString(signed).IndexOf("units=\"1\"", StringComparison.Ordinal) + "units=\"".Length;
        var tampered = (byte[])signed.Clone();
        tampered[units] ^= 0x02;
        Assert.False(await OpensslVerifiesAsync(pem, tampered, signature));

        // The file names the device, the version and its lots.
        var root = XElement.Parse(file);
        Assert.Equal(mac, (string?)root.Attribute("mac"));
        Assert.Equal("V13", (string?)root.Attribute("version"));
        Assert.Equal([Port8x20, Relay], root.Elements("lot").Select(l => (string)l.Attribute("type")!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task R_V3_versions_are_offered_down_to_V6_not_above_the_lots_and_under_SSA_up_to_the_last_release_before_its_end()
    {
        // 2013-06-01: V10 (2013-03-04) is the current version, V11 comes 2014-10-01.
        node.Clock.SetDay(new DateOnly(2013, 6, 1));
        var company = await DeviceCompany.CreateAsync(_api);
        await company.FundAsync(new() { [Port8x20] = 2, [Pbx7] = 2, ["SSC"] = 100_000 });
        var (plain, _) = await DeviceWithCertificateAsync(company, null, shipDate: "2013-01-01");
        var (underSsa, underSsaSecret) = await DeviceWithCertificateAsync(company, null, shipDate: "2013-01-01");
        var (v7, _) = await DeviceWithCertificateAsync(company, null, shipDate: "2013-01-01");
        await BindAsync(company, plain, "V8", new() { [Port8x20] = 1 });
        await BindAsync(company, underSsa, "V8", new() { [Port8x20] = 1 }, ssaEndDate: "2013-12-31");
        var (v7Ssa, v7SsaSecret) = await DeviceWithCertificateAsync(company, null, shipDate: "2013-01-01");
        await BindAsync(company, v7, "V7", new() { [Pbx7] = 1 });
        await BindAsync(company, v7Ssa, "V7", new() { [Pbx7] = 1 }, ssaEndDate: "2013-12-31");

        // A V8 lot without SSA: V6..V8; not V9, not V5.
        var listed = await Api.Json(await _api.SendAsync(HttpMethod.Get, $"{company.Base}/devices/{plain}/license-file/versions", null, company.Token));
        Assert.Equal(["V6", "V7", "V8"], listed["versions"]!.AsArray().Select(v => v!["version"]!.GetValue<string>()));
        Assert.Equal([false, false, true], listed["versions"]!.AsArray().Select(v => v!["encryptable"]!.GetValue<bool>()));
        foreach (var version in new[] { "V6", "V7", "V8" })
        {
            Assert.Equal(version, (string?)XElement.Parse(await DownloadAsync(company, plain, version, encrypted: false)).Attribute("version"));
        }

        var tooNew = await Api.AssertProblem(await DownloadResponseAsync(company, plain, "V9"), HttpStatusCode.UnprocessableEntity, "VersionNotOffered");
        Assert.Contains("V6, V7, V8", tooNew["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        await Api.AssertProblem(await DownloadResponseAsync(company, plain, "V5", encrypted: false), HttpStatusCode.UnprocessableEntity, "VersionNotOffered");
        await Api.AssertProblem(await DownloadResponseAsync(company, plain, "V99"), HttpStatusCode.UnprocessableEntity, "VersionNotOffered");

        // Types map across versions: the V8 package of 20 ports is one V7 package of 15 (never more ports than bought) ...
        var asV7 = XElement.Parse(await DownloadAsync(company, plain, "V7"));
        Assert.Equal((Pbx7, "1", "V7"), asV7.Elements("lot").Select(l => ((string)l.Attribute("type")!, (string)l.Attribute("units")!, (string)l.Attribute("version")!)).Single());

        // A V7 lot without SSA is not upgraded: its files stay V6..V7.
        await Api.AssertProblem(await DownloadResponseAsync(company, v7, "V8"), HttpStatusCode.UnprocessableEntity, "VersionNotOffered");
        Assert.Equal(Pbx7, (string?)XElement.Parse(await DownloadAsync(company, v7, "V7")).Element("lot")!.Attribute("type"));

        // Under SSA it is, and a V7 package of 15 becomes three V8 packages of 5.
        var v7AsV8 = XElement.Parse(LicenseFileTools.Decrypt(await DownloadAsync(company, v7Ssa, "V8"), v7SsaSecret));
        Assert.Equal(("PBX-Port8*5", "3", "V8"), v7AsV8.Elements("lot").Select(l => ((string)l.Attribute("type")!, (string)l.Attribute("units")!, (string)l.Attribute("version")!)).Single());

        // Under SSA until 2013-12-31: every version released before it, here up to the current V10.
        var asV10 = XElement.Parse(LicenseFileTools.Decrypt(await DownloadAsync(company, underSsa, "V10"), underSsaSecret));
        Assert.Equal("V10", (string?)asV10.Attribute("version"));

        // V11, released after the SSA ended, is not offered even once it is out.
        node.Clock.SetDay(new DateOnly(2015, 1, 1));
        await Api.AssertProblem(await DownloadResponseAsync(company, underSsa, "V11"), HttpStatusCode.UnprocessableEntity, "VersionNotOffered");

        // Nothing was marked by the encrypted download; the unencrypted ones marked their lots.
        Assert.Empty(NotReturnable(await DeviceAsync(company, underSsa)));
        Assert.Single(NotReturnable(await DeviceAsync(company, plain)));
    }

    [Fact]
    public async Task R_V2_an_encrypted_file_decrypts_by_the_documented_recipe_with_its_devices_secret_only_and_V5_to_V7_are_never_encrypted()
    {
        node.Clock.SetDay(new DateOnly(2031, 3, 1));
        var company = await DeviceCompany.CreateAsync(_api);
        await company.FundAsync(new() { [Port8x20] = 1 });
        var (mac, secret) = await DeviceWithCertificateAsync(company, null);
        var (other, otherSecret) = await DeviceWithCertificateAsync(company, null);
        await BindAsync(company, mac, "V13", new() { [Port8x20] = 1 });

        // From V8 on a file is encrypted unless asked otherwise.
        var envelope = await DownloadAsync(company, mac, "V13");
        Assert.StartsWith("<encryptedLicense ", envelope, StringComparison.Ordinal);
        Assert.DoesNotContain(Port8x20, envelope, StringComparison.Ordinal);
        var inside = LicenseFileTools.Decrypt(envelope, secret);
        Assert.True(Verifies(inside, (await SigningKeysAsync(_api))["publicKeyPem"]!.GetValue<string>()));
        Assert.Equal(Port8x20, (string?)XElement.Parse(inside).Element("lot")!.Attribute("type"));

        // Another device's secret, or a changed byte of the ciphertext, does not open it.
        Assert.ThrowsAny<CryptographicException>(() => LicenseFileTools.Decrypt(envelope, otherSecret));
        var root = XElement.Parse(envelope);
        var cipher = Convert.FromBase64String(root.Value);
        cipher[0] ^= 1;
        root.Value = Convert.ToBase64String(cipher);
        Assert.ThrowsAny<CryptographicException>(() => LicenseFileTools.Decrypt(root.ToString(SaveOptions.DisableFormatting), secret));

        // The poll keeps the signed XML in `document` (SPEC §4.1) and adds the envelope for a V8+ device; it marks nothing.
        var poll = await Api.Json(await _api.PollAsync(mac, secret));
        Assert.StartsWith("<license ", poll["document"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(poll["document"]!.GetValue<string>().Split("<signature ")[0], LicenseFileTools.Decrypt(poll["encryptedDocument"]!.GetValue<string>(), secret).Split("<signature ")[0]);
        Assert.Empty(NotReturnable(await DeviceAsync(company, mac)));

        // V5–V7 files are never encrypted.
        await Api.AssertProblem(await DownloadResponseAsync(company, mac, "V7", encrypted: true), HttpStatusCode.BadRequest, "ValidationFailed");
        Assert.StartsWith("<license ", await DownloadAsync(company, mac, "V7"), StringComparison.Ordinal);
        Assert.NotEqual(secret, otherSecret);
        Assert.NotNull(other);
    }

    [Fact]
    public async Task R_V5_invalidation_signed_with_the_registered_key_returns_PBX_lots_to_the_free_pool_refuses_replay_and_tamper_and_keeps_the_audit_at_zero()
    {
        node.Clock.SetDay(new DateOnly(2031, 3, 1));
        var company = await DeviceCompany.CreateAsync(_api);
        await company.FundAsync(new() { [Port8x20] = 2, [Mobility] = 10, [Relay] = 1, [Warranty] = 1 });
        using var deviceKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var (mac, secret) = await DeviceWithCertificateAsync(company, deviceKey);
        var (bare, _) = await DeviceWithCertificateAsync(company, null);
        await BindAsync(company, mac, "V13", new() { [Port8x20] = 1, [Mobility] = 5, [Relay] = 1, [Warranty] = 1 });
        await BindAsync(company, bare, "V13", new() { [Port8x20] = 1 });
        var publicPem = (await SigningKeysAsync(_api))["publicKeyPem"]!.GetValue<string>();

        // No certificate: refused, nothing changes.
        await Api.AssertProblem(await UploadAsync(company, bare, Invalidation(deviceKey, bare, 1)), HttpStatusCode.Conflict, "DeviceCertificateRequired");
        Assert.Equal(1, await company.UnitsOnAsync(bare, Port8x20));

        // One changed byte of the signed part: refused, nothing changes.
        var document = Invalidation(deviceKey, mac, 1);
        await Api.AssertProblem(await UploadAsync(company, mac, document.Replace("sequence=\"1\"", "sequence=\"7\"", StringComparison.Ordinal)), HttpStatusCode.BadRequest, "InvalidSignature");
        Assert.Equal(1, await company.UnitsOnAsync(mac, Port8x20));
        Assert.Empty(await FreePoolAsync(company));

        // The real one: PBX lots to the free pool, gateway and warranty stay; a signed confirmation.
        var accepted = await UploadAsync(company, mac, document);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        var body = await Api.Json(accepted);
        Assert.Equal(1, body["sequence"]!.GetValue<long>());
        Assert.Equal([Mobility, Port8x20], body["returned"]!.AsArray().Select(l => l!["type"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        var confirmation = body["confirmation"]!.GetValue<string>();
        Assert.True(Verifies(confirmation, publicPem));
        Assert.Equal("1", (string?)XElement.Parse(confirmation).Attribute("sequence"));
        Assert.Equal(0, await company.UnitsOnAsync(mac, Port8x20) + await company.UnitsOnAsync(mac, Mobility));
        Assert.Equal(1, await company.UnitsOnAsync(mac, Relay));
        Assert.Equal(1, await company.UnitsOnAsync(mac, Warranty));
        var pool = await FreePoolAsync(company);
        Assert.Equal([Mobility, Port8x20], pool.Select(l => l!["type"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.Contains("LicensesInvalidated", await company.DeviceActionsAsync(mac));

        // The confirmation file can be downloaded again: same content, signed.
        var again = await _api.SendAsync(HttpMethod.Get, $"{company.Base}/devices/{mac}/confirmation-file", null, company.Token);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var againXml = await again.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(Verifies(againXml, publicPem));
        Assert.Equal(confirmation.Split("<signature ")[0], againXml.Split("<signature ")[0]);
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Get, $"{company.Base}/devices/{bare}/confirmation-file", null, company.Token), HttpStatusCode.NotFound, "NotFound");

        // A replay: refused, nothing changes.
        await Api.AssertProblem(await UploadAsync(company, mac, document), HttpStatusCode.Conflict, "InvalidationReplayed");
        Assert.Equal(2, (await FreePoolAsync(company)).Count);
        await company.AssertAuditBalancedAsync();

        // Re-add from the free pool, invalidate again from the device itself (sequence 2), re-add: the audit stays at zero.
        var lotIds = (await FreePoolAsync(company)).Select(l => l!["lotId"]!.GetValue<string>()).ToArray();
        Assert.Equal(HttpStatusCode.OK, (await company.PostAsync($"/devices/{mac}/licenses/from-free", new { lotIds })).StatusCode);
        var byDevice = new HttpRequestMessage(HttpMethod.Post, "/api/v1/device/invalidation") { Content = System.Net.Http.Json.JsonContent.Create(new { document = Invalidation(deviceKey, mac, 2) }) };
        byDevice.Headers.Add("X-Device-Mac", mac);
        byDevice.Headers.Add("X-Device-Secret", secret);
        var fromDevice = await _api.Http.SendAsync(byDevice, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, fromDevice.StatusCode);
        Assert.Equal(2, (await Api.Json(fromDevice))["returned"]!.AsArray().Count);
        await company.AssertAuditBalancedAsync();
        Assert.Equal(HttpStatusCode.OK, (await company.PostAsync($"/devices/{mac}/licenses/from-free", new { lotIds })).StatusCode);
        Assert.Equal(1, await company.UnitsOnAsync(mac, Port8x20));
        await company.AssertAuditBalancedAsync();
    }

    [Fact]
    public async Task R_V4_an_unencrypted_download_makes_its_lots_not_returnable_an_encrypted_one_and_the_poll_do_not()
    {
        node.Clock.SetDay(new DateOnly(2031, 3, 1));
        var company = await DeviceCompany.CreateAsync(_api);
        await company.FundAsync(new() { [Port8x20] = 1, [Mobility] = 2 });
        using var deviceKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var (mac, secret) = await DeviceWithCertificateAsync(company, deviceKey);
        var lots = await BindAsync(company, mac, "V13", new() { [Port8x20] = 1 });
        var portLot = lots.Single()!["lotId"]!.GetValue<string>();

        await DownloadAsync(company, mac, "V13", encrypted: true);
        Assert.Equal(HttpStatusCode.OK, (await _api.PollAsync(mac, secret)).StatusCode);
        Assert.Empty(NotReturnable(await DeviceAsync(company, mac)));

        await DownloadAsync(company, mac, "V13", encrypted: false);
        Assert.Equal([portLot], NotReturnable(await DeviceAsync(company, mac)));
        var downloads = (await company.HistoryAsync($"context=device&mac={mac}")).Where(e => e["action"]!.GetValue<string>() == "LicenseFileDownloaded").ToList();
        Assert.Equal(2, downloads.Count);

        // A lot bound after the download is not in that file and stays returnable: return it alone.
        var later = (await BindAsync(company, mac, "V13", new() { [Mobility] = 2 })).Single(l => l!["type"]!.GetValue<string>() == Mobility)!["lotId"]!.GetValue<string>();
        await Api.AssertProblem(await UploadAsync(company, mac, Invalidation(deviceKey, mac, 1)), HttpStatusCode.Conflict, "LotNotReturnable");
        await Api.AssertProblem(await UploadAsync(company, mac, Invalidation(deviceKey, mac, 2, consentNoDowngrade: true, portLot)), HttpStatusCode.Conflict, "LotNotReturnable");
        Assert.Equal(1, await company.UnitsOnAsync(mac, Port8x20));
        Assert.Empty(await FreePoolAsync(company));

        var accepted = await UploadAsync(company, mac, Invalidation(deviceKey, mac, 3, false, later));
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal(0, await company.UnitsOnAsync(mac, Mobility));
        Assert.Equal(1, await company.UnitsOnAsync(mac, Port8x20));
        Assert.False((await DeviceAsync(company, mac))["noDowngrade"]!.GetValue<bool>());
        await company.AssertAuditBalancedAsync();
    }

    [Fact]
    public async Task R_V4_V7_lots_downloaded_unencrypted_return_only_with_consent_to_NoDowngrade_which_then_refuses_files_below_V8()
    {
        node.Clock.SetDay(new DateOnly(2013, 6, 1));
        var company = await DeviceCompany.CreateAsync(_api);
        await company.FundAsync(new() { [Pbx7] = 1, [Relay] = 1 });
        using var deviceKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var (mac, _) = await DeviceWithCertificateAsync(company, deviceKey, shipDate: "2013-01-01");
        await BindAsync(company, mac, "V7", new() { [Pbx7] = 1, [Relay] = 1 });
        await DownloadAsync(company, mac, "V7");
        Assert.Equal(2, NotReturnable(await DeviceAsync(company, mac)).Length);

        await Api.AssertProblem(await UploadAsync(company, mac, Invalidation(deviceKey, mac, 1)), HttpStatusCode.Conflict, "LotNotReturnable");
        Assert.Equal(1, await company.UnitsOnAsync(mac, Pbx7));

        var accepted = await UploadAsync(company, mac, Invalidation(deviceKey, mac, 2, consentNoDowngrade: true));
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.True((await Api.Json(accepted))["noDowngrade"]!.GetValue<bool>());
        var device = await DeviceAsync(company, mac);
        Assert.True(device["noDowngrade"]!.GetValue<bool>());
        Assert.Equal(0, await company.UnitsOnAsync(mac, Pbx7));
        Assert.Equal(1, await company.UnitsOnAsync(mac, Relay));
        Assert.Equal(Pbx7, (await FreePoolAsync(company)).Single()!["type"]!.GetValue<string>());

        // NoDowngrade: no file below V8 any more.
        var refused = await Api.AssertProblem(await DownloadResponseAsync(company, mac, "V7"), HttpStatusCode.UnprocessableEntity, "VersionNotOffered");
        var listed = await Api.Json(await _api.SendAsync(HttpMethod.Get, $"{company.Base}/devices/{mac}/license-file/versions", null, company.Token));
        Assert.True(listed["noDowngrade"]!.GetValue<bool>());
        // What is left, a V7 gateway license without SSA, reaches no version from V8 on: nothing is offered.
        Assert.Empty(listed["versions"]!.AsArray());
        Assert.Contains("NoDowngrade", refused["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        await company.AssertAuditBalancedAsync();
    }

    [Fact]
    public async Task R_V4_a_V8_lot_downloaded_only_as_a_V7_file_returns_with_consent_to_NoDowngrade_which_sets_the_flag()
    {
        node.Clock.SetDay(new DateOnly(2013, 6, 1));
        var company = await DeviceCompany.CreateAsync(_api);
        await company.FundAsync(new() { [Port8x20] = 1 });
        using var deviceKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var (mac, _) = await DeviceWithCertificateAsync(company, deviceKey, shipDate: "2013-01-01");
        await BindAsync(company, mac, "V8", new() { [Port8x20] = 1 });
        Assert.Equal(Pbx7, (string?)XElement.Parse(await DownloadAsync(company, mac, "V7")).Element("lot")!.Attribute("type"));

        await Api.AssertProblem(await UploadAsync(company, mac, Invalidation(deviceKey, mac, 1)), HttpStatusCode.Conflict, "LotNotReturnable");
        Assert.False((await DeviceAsync(company, mac))["noDowngrade"]!.GetValue<bool>());
        var accepted = await UploadAsync(company, mac, Invalidation(deviceKey, mac, 2, consentNoDowngrade: true));
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.True((await DeviceAsync(company, mac))["noDowngrade"]!.GetValue<bool>());
        Assert.Equal(Port8x20, (await FreePoolAsync(company)).Single()!["type"]!.GetValue<string>());
        await company.AssertAuditBalancedAsync();
    }

    [Fact]
    public async Task R_V5_a_requested_certificate_replaces_the_key_that_verifies_invalidations_and_the_history_keeps_both()
    {
        node.Clock.SetDay(new DateOnly(2031, 3, 1));
        var company = await DeviceCompany.CreateAsync(_api);
        await company.FundAsync(new() { [Port8x20] = 1 });
        using var first = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var second = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var (mac, _) = await DeviceWithCertificateAsync(company, first);
        await BindAsync(company, mac, "V13", new() { [Port8x20] = 1 });

        await Api.AssertProblem(await company.PostAsync($"/devices/{mac}/certificate", new { publicKey = "not a key" }), HttpStatusCode.BadRequest, "ValidationFailed");
        var requested = await company.PostAsync($"/devices/{mac}/certificate", new { publicKey = second.ExportSubjectPublicKeyInfoPem() });
        Assert.Equal(HttpStatusCode.OK, requested.StatusCode);
        var keys = (await Api.Json(requested))["keys"]!.AsArray();
        Assert.Equal(["Hardware", "Requested"], keys.Select(k => k!["source"]!.GetValue<string>()));
        Assert.True(keys[1]!["current"]!.GetValue<bool>());

        // The old key no longer verifies; the new one does.
        await Api.AssertProblem(await UploadAsync(company, mac, Invalidation(first, mac, 1)), HttpStatusCode.BadRequest, "InvalidSignature");
        Assert.Equal(1, await company.UnitsOnAsync(mac, Port8x20));
        Assert.Equal(HttpStatusCode.OK, (await UploadAsync(company, mac, Invalidation(second, mac, 1))).StatusCode);
        Assert.Equal(0, await company.UnitsOnAsync(mac, Port8x20));

        // A member without the right RequestCertificate is refused.
        var memberEmail = Api.NewEmail();
        await _api.RegisterAndLoginAsync(memberEmail);
        Assert.True((await company.PostAsync("/users", new { email = memberEmail })).IsSuccessStatusCode);
        var member = await _api.LoginAsync(memberEmail);
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Post, $"{company.Base}/devices/{mac}/certificate", new { publicKey = first.ExportSubjectPublicKeyInfoPem() }, member), HttpStatusCode.Forbidden, "Forbidden");
        Assert.Equal(2, (await Api.Json(await _api.SendAsync(HttpMethod.Get, $"{company.Base}/devices/{mac}/certificates", null, company.Token)))["keys"]!.AsArray().Count);
    }

    [Fact]
    public async Task R_V2_the_shipped_verifier_checks_files_against_the_published_key_and_prints_what_they_license()
    {
        node.Clock.SetDay(new DateOnly(2031, 3, 1));
        var company = await DeviceCompany.CreateAsync(_api);
        await company.FundAsync(new() { [Port8x20] = 1 });
        var (mac, secret) = await DeviceWithCertificateAsync(company, null);
        await BindAsync(company, mac, "V13", new() { [Port8x20] = 1 });
        var directory = Directory.CreateTempSubdirectory("verify-license-");
        try
        {
            var key = Path.Combine(directory.FullName, "key.pem");
            var plain = Path.Combine(directory.FullName, "plain.xml");
            var encrypted = Path.Combine(directory.FullName, "encrypted.xml");
            var tampered = Path.Combine(directory.FullName, "tampered.xml");
            await File.WriteAllTextAsync(key, (await SigningKeysAsync(_api))["publicKeyPem"]!.GetValue<string>(), TestContext.Current.CancellationToken);
            var file = await DownloadAsync(company, mac, "V13", encrypted: false);
            await File.WriteAllTextAsync(plain, file, TestContext.Current.CancellationToken);
            await File.WriteAllTextAsync(encrypted, await DownloadAsync(company, mac, "V13"), TestContext.Current.CancellationToken);
            await File.WriteAllTextAsync(tampered, file.Replace("units=\"1\"", "units=\"9\"", StringComparison.Ordinal), TestContext.Current.CancellationToken);

            var (exit, output) = Verify(plain, "--key", key);
            Assert.Equal(0, exit);
            Assert.Contains("OK: signature verifies", output, StringComparison.Ordinal);
            Assert.Contains($"mac={mac}", output, StringComparison.Ordinal);
            Assert.Contains($"type={Port8x20}, units=1", output, StringComparison.Ordinal);

            Assert.Equal(1, Verify(tampered, "--key", key).Exit);
            Assert.Equal(1, Verify(encrypted, "--key", key).Exit);
            Assert.Equal(0, Verify(encrypted, "--key", key, "--device-secret", secret).Exit);
            Assert.Equal(1, Verify(encrypted, "--key", key, "--device-secret", secret + "x").Exit);
            Assert.Equal(2, Verify(plain).Exit);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    /// <summary>The verifier verb of the shipped Silo executable (<c>verify-license</c>), in-process.</summary>
    private static (int Exit, string Output) Verify(params string[] arguments)
    {
        using var output = new StringWriter();
        var exit = OrleansLicensing.Silo.LicenseVerifier.Run(["verify-license", .. arguments], output, output);
        return (exit, output.ToString());
    }
}
