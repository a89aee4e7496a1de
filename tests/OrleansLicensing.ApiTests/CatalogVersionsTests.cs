using System.Globalization;
using System.Net;
using System.Xml.Linq;

namespace OrleansLicensing.ApiTests;

/// <summary>R-V1 over HTTP: the published versions and release dates, and the current version the device's document is for.</summary>
public sealed class CatalogVersionsTests(SharedApp shared)
{
    private readonly Api _api = new(shared.App.CreateClient());

    [Fact]
    public async Task R_V1_versions_carry_the_seed_release_dates_and_the_polled_document_is_for_the_one_marked_current()
    {
        var response = await _api.SendAsync(HttpMethod.Get, "/api/v1/catalog/versions", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var versions = (await Api.Json(response)).AsArray()
            .Select(v => (Version: v!["version"]!.GetValue<string>(), Released: DateOnly.Parse(v["releaseDate"]!.GetValue<string>(), CultureInfo.InvariantCulture), Current: v["current"]!.GetValue<bool>()))
            .ToList();

        // The seed's dates, and later versions in the catalog data, in order and strictly later.
        Assert.Equal(["V5", "V6", "V7", "V8"], versions.Take(4).Select(v => v.Version));
        Assert.Equal([new DateOnly(2003, 1, 1), new DateOnly(2006, 11, 2), new DateOnly(2008, 11, 14), new DateOnly(2009, 12, 7)], versions.Take(4).Select(v => v.Released));
        Assert.All(versions.Zip(versions.Skip(1)), pair => Assert.True(pair.First.Released < pair.Second.Released, $"{pair.Second.Version} is not released after {pair.First.Version}"));

        // Exactly one is current: the newest released on or before today.
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var current = Assert.Single(versions, v => v.Current);
        Assert.Equal(versions.Last(v => v.Released <= today).Version, current.Version);

        // A device's polled document is for that version.
        var token = await _api.RegisterAndLoginAsync();
        var (companyId, projectId) = await _api.CreateCompanyAsync(token);
        var key = await _api.MintKeyAsync(new Dictionary<string, int> { ["PBX-Port8*20"] = 1 });
        Assert.Equal(HttpStatusCode.Created, (await _api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{companyId}/projects/{projectId}/activations", new { key }, token)).StatusCode);
        var (mac, secret) = await _api.RegisterHardwareAsync(Api.NewMacSuffix());
        Assert.Equal(HttpStatusCode.OK, (await _api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{companyId}/projects/{projectId}/devices", new { macs = new[] { mac } }, token)).StatusCode);
        var bound = await _api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{companyId}/devices/{mac}/licenses", new { version = current.Version, licenses = new Dictionary<string, int> { ["PBX-Port8*20"] = 1 } }, token);
        Assert.True(bound.StatusCode == HttpStatusCode.OK, await bound.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        var poll = await _api.PollAsync(mac, secret);
        Assert.Equal(HttpStatusCode.OK, poll.StatusCode);
        var document = XElement.Parse((await Api.Json(poll))["document"]!.GetValue<string>());
        Assert.Equal(current.Version, (string?)document.Attribute("version"));
    }
}
