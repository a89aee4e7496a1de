using System.Net;
using System.Text.RegularExpressions;

namespace OrleansLicensing.ApiTests;

/// <summary>R-K1 over HTTP: the vendor mints activation keys; codes are grouped for humans and unguessable.</summary>
public sealed partial class MintKeyTests(SharedApp shared)
{
    private readonly Api _api = new(shared.App.CreateClient());

    [GeneratedRegex("^[0-9A-HJKMNP-TV-Z]{5}(-[0-9A-HJKMNP-TV-Z]{5}){4}$")]
    private static partial Regex KeyShape();

    private async Task<long> MintedAsync(string type) =>
        (await Api.Json(await _api.SendAsync(HttpMethod.Get, "/api/v1/vendor/audit", null, LicensingApp.VendorKey)))["licenseTypes"]!.AsArray()
            .Where(l => l!["type"]!.GetValue<string>() == type).Select(l => l!["minted"]!.GetValue<long>()).DefaultIfEmpty(0).Single();

    [Fact]
    public async Task R_K1_the_vendor_mints_a_key_with_licenses_and_order_number_as_five_groups_of_125_random_bits()
    {
        var before = await MintedAsync("PBX-Standby");
        var minted = await _api.SendAsync(HttpMethod.Post, "/api/v1/vendor/activation-keys", new { licenses = new Dictionary<string, int> { ["PBX-Standby"] = 7 }, orderNumber = "SO-K1" }, LicensingApp.VendorKey);

        Assert.Equal(HttpStatusCode.Created, minted.StatusCode);
        var body = await Api.Json(minted);
        var key = body["key"]!.GetValue<string>();
        Assert.Matches(KeyShape(), key);
        Assert.Equal(7, body["licenses"]!["PBX-Standby"]!.GetValue<int>());
        Assert.Equal("SO-K1", body["orderNumber"]!.GetValue<string>());
        Assert.Equal(before + 7, await MintedAsync("PBX-Standby"));

        // 25 Crockford characters = 125 bits; a few hundred mints never repeat a code.
        var codes = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => _api.MintKeyAsync(new Dictionary<string, int> { ["PBX-Standby"] = 1 })));
        Assert.Equal(codes.Length, codes.Distinct().Count());
        Assert.All(codes, code => Assert.Matches(KeyShape(), code));
    }

    [Fact]
    public async Task R_K1_only_the_vendor_mints_and_a_bad_request_mints_nothing()
    {
        var before = await MintedAsync("PBX-Mobility");
        var user = await _api.RegisterAndLoginAsync();
        var body = new { licenses = new Dictionary<string, int> { ["PBX-Mobility"] = 3 }, orderNumber = "SO-K1" };

        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Post, "/api/v1/vendor/activation-keys", body, user), HttpStatusCode.Forbidden, "Forbidden");
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Post, "/api/v1/vendor/activation-keys", body, null), HttpStatusCode.Unauthorized, "Unauthorized");
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Post, "/api/v1/vendor/activation-keys", new { licenses = new Dictionary<string, int> { ["PBX-Mobility"] = 3, ["No-Such-Type"] = 1 }, orderNumber = "SO-K1" }, LicensingApp.VendorKey), HttpStatusCode.BadRequest, "UnknownLicenseType");
        await Api.AssertProblem(await _api.SendAsync(HttpMethod.Post, "/api/v1/vendor/activation-keys", new { licenses = new Dictionary<string, int> { ["PBX-Mobility"] = -3 }, orderNumber = "SO-K1" }, LicensingApp.VendorKey), HttpStatusCode.BadRequest, "InvalidUnits");

        Assert.Equal(before, await MintedAsync("PBX-Mobility"));
    }
}
