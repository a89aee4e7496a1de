using System.Net;
using Microsoft.Extensions.DependencyInjection;
using OrleansLicensing.Contracts;

namespace OrleansLicensing.ApiTests;

/// <summary>
/// R-C3 on the co-hosted node: once the device grain is active and settled, the gateway answers
/// its polls from the answer the grain published (no grain call) — the same bytes, the same
/// secret check and ETag rules — and a committed change shows in the very next poll.
/// </summary>
public sealed class DevicePollAnswersTests
{
    [Fact]
    public async Task R_C3_a_settled_device_is_answered_from_its_published_answer_and_a_change_shows_in_the_next_poll()
    {
        await using var app = new LicensingApp("Memory");
        var api = new Api(app.CreateClient());
        var answers = app.Services.GetRequiredService<DevicePollAnswers>();
        var grains = app.Services.GetRequiredService<IGrainFactory>();
        var token = await api.RegisterAndLoginAsync();
        var (companyId, projectId) = await api.CreateCompanyAsync(token);
        var key = await api.MintKeyAsync(new Dictionary<string, int> { ["PBX-Port8*20"] = 5 });
        Assert.Equal(HttpStatusCode.Created, (await api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{companyId}/projects/{projectId}/activations", new { key }, token)).StatusCode);
        var (mac, secret) = await api.RegisterHardwareAsync("5c5c01");
        Assert.Equal(HttpStatusCode.OK, (await api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{companyId}/projects/{projectId}/devices", new { macs = new[] { mac } }, token)).StatusCode);

        // The first poll activates the grain, which publishes its answer; the next ones are served from it.
        var first = await api.PollAsync(mac, secret);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var etag = first.Headers.ETag!.Tag;
        var published = answers.Find(mac);
        Assert.NotNull(published);
        Assert.Equal(etag, published.ETag);
        var fromGrain = await grains.GetGrain<IDeviceGrain>(mac).PollAsync(secret, null);
        Assert.Equal(fromGrain.Body, await first.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));

        var second = await api.PollAsync(mac, secret);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(fromGrain.Body, await second.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        Assert.Equal("no-cache", second.Headers.CacheControl!.ToString());
        await Api.AssertProblem(await api.PollAsync(mac, "not the device's secret"), HttpStatusCode.Unauthorized, "Unauthorized");
        Assert.Equal(HttpStatusCode.NotModified, (await api.PollAsync(mac, secret, etag)).StatusCode);
        Assert.Equal(HttpStatusCode.NotModified, (await api.PollAsync(mac, secret, $"\"something-else\", W/{etag}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.PollAsync(mac, secret, "\"something-else\"")).StatusCode);

        // A committed change: the next poll (with the old ETag) gets the new answer, and the new answer is published again.
        var bind = await api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{companyId}/devices/{mac}/licenses",
            new { version = "V13", licenses = new Dictionary<string, int> { ["PBX-Port8*20"] = 2 } }, token);
        Assert.Equal(HttpStatusCode.OK, bind.StatusCode);
        var changed = await api.PollAsync(mac, secret, etag);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.NotEqual(etag, changed.Headers.ETag!.Tag);
        var body = await Api.Json(changed);
        Assert.Equal(2, body["licenses"]![0]!["units"]!.GetValue<int>());
        Assert.Equal(changed.Headers.ETag!.Tag, answers.Find(mac)?.ETag);
    }

    [Fact]
    public void If_None_Match_lists_weak_tags_and_the_wildcard_match_as_RFC_9110_says()
    {
        Assert.True(DevicePollAnswers.Matches("\"a\"", "\"a\""));
        Assert.True(DevicePollAnswers.Matches(" \"x\" ,W/\"a\"", "\"a\""));
        Assert.True(DevicePollAnswers.Matches("*", "\"a\""));
        Assert.False(DevicePollAnswers.Matches(null, "\"a\""));
        Assert.False(DevicePollAnswers.Matches(", ,", "\"a\""));
        Assert.False(DevicePollAnswers.Matches("\"ab\"", "\"a\""));
        Assert.False(DevicePollAnswers.Matches("a", "\"a\""));
    }
}
