using System.Net;
using Microsoft.Extensions.DependencyInjection;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Joins;
using OrleansLicensing.Grains.Processes;

namespace OrleansLicensing.ApiTests;

/// <summary>
/// While a join runs, what it moves refuses changes (R-U3, R-P4): on a node whose joins are slow
/// (one device per batch, 1.5 s between batches) so the test meets them in the middle.
/// </summary>
public sealed class JoinLockTests
{
    private const string Port8 = "PBX-Port8*20";

    [Fact]
    public async Task R_U3_and_R_P4_a_company_or_project_being_joined_refuses_changes_until_the_join_ends()
    {
        await using var app = new LicensingApp("Memory", testServices: services =>
        {
            services.Configure<DurableProcessOptions>(o => o.BatchInterval = TimeSpan.FromMilliseconds(1500));
            services.Configure<JoinOptions>(o => o.ItemsPerBatch = 1);
        });
        var api = new Api(app.CreateClient());

        var adminA = await api.RegisterAndLoginAsync();
        var a = new Company(api, adminA, (await api.CreateCompanyAsync(adminA, "Alpha")).CompanyId);
        var adminBEmail = Api.NewEmail();
        var adminB = await api.RegisterAndLoginAsync(adminBEmail);
        var (bId, defaultB) = await api.CreateCompanyAsync(adminB, "Beta");
        var b = new Company(api, adminB, bId);
        Assert.Equal(HttpStatusCode.Created, (await b.RedeemAsync(defaultB, await api.MintKeyAsync(new Dictionary<string, int> { [Port8] = 4 }))).StatusCode);
        for (var i = 0; i < 3; i++)
        {
            await b.AddDeviceAsync(defaultB);
        }

        var started = await api.SendAsync(HttpMethod.Post, $"{a.Path}/join", new { companyId = bId, email = adminBEmail, password = Api.Password }, adminA);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var statusUrl = started.Headers.Location!.ToString();
        await UntilAsync(api, statusUrl, adminA, batchesDone: 1);

        // B is locked: its admin cannot change it or read it; A works as usual.
        await Api.AssertProblem(await b.PostAsync("/projects", new { name = "Late" }), HttpStatusCode.Conflict, "JoinInProgress");
        await Api.AssertProblem(await api.SendAsync(HttpMethod.Get, $"{b.Path}/projects", null, adminB), HttpStatusCode.Conflict, "JoinInProgress");
        var running = await Api.Json(await api.SendAsync(HttpMethod.Get, statusUrl, null, adminA));
        Assert.Equal("running", running["state"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Created, (await a.PostAsync("/projects", new { name = "While joining" })).StatusCode);

        // A partner's request authorized for B just before B's project changed owner lands late, under B's name:
        // the join's sweep re-points it too.
        var grains = app.Services.GetRequiredService<IGrainFactory>();
        var (lateDevice, _) = await api.RegisterHardwareAsync(Api.NewMacSuffix());
        Assert.Equal(DeviceAddStatus.Added, (await grains.GetGrain<IDeviceGrain>(lateDevice).AddToProjectAsync(bId, defaultB, null)).Status);
        var lateKey = await api.MintKeyAsync(new Dictionary<string, int> { [Port8] = 1 });
        await grains.GetGrain<ILedgerGrain>(0).RedeemKeyAsync(lateKey, bId, defaultB, null);

        await JoinTests.CompletedAsync(api, statusUrl, adminA);
        Assert.Equal(defaultB, (await a.GetAsync($"/devices/{lateDevice}"))["projectId"]!.GetValue<string>());
        Assert.Equal(defaultB, (await a.GetAsync($"/keys/{lateKey}/certificate"))["redeemingProjectId"]!.GetValue<string>());
        await Api.AssertProblem(await api.SendAsync(HttpMethod.Get, $"{b.Path}/projects", null, adminB), HttpStatusCode.NotFound, "NotFound");

        // Project join: the joined project refuses changes while its devices move.
        var target = await a.CreateProjectAsync("Target");
        var joining = await api.SendAsync(HttpMethod.Post, $"{a.Path}/projects/{defaultB}/join", new { targetProjectId = target }, adminA);
        Assert.Equal(HttpStatusCode.Accepted, joining.StatusCode);
        var projectStatus = joining.Headers.Location!.ToString();
        await UntilAsync(api, projectStatus, adminA, batchesDone: 1);
        await Api.AssertProblem(await api.SendAsync(HttpMethod.Patch, $"{a.Path}/projects/{defaultB}", new { name = "Renamed" }, adminA), HttpStatusCode.Conflict, "JoinInProgress");
        await Api.AssertProblem(await a.RedeemAsync(defaultB, await api.MintKeyAsync(new Dictionary<string, int> { [Port8] = 1 })), HttpStatusCode.Conflict, "JoinInProgress");
        Assert.Equal(5, (await api.BalanceAsync(adminA, a.Id, target))[Port8]!.GetValue<int>());

        await JoinTests.CompletedAsync(api, projectStatus, adminA);
        Assert.Equal(4, (await a.GetAsync($"/projects/{target}/devices")).AsArray().Count);
        await Api.AssertProblem(await api.SendAsync(HttpMethod.Get, $"{a.Path}/projects/{defaultB}", null, adminA), HttpStatusCode.NotFound, "NotFound");
        await JoinTests.AssertBalancedAsync(api);
    }

    private static async Task UntilAsync(Api api, string statusUrl, string token, long batchesDone)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var status = await Api.Json(await api.SendAsync(HttpMethod.Get, statusUrl, null, token));
            if (status["batchesDone"]!.GetValue<long>() >= batchesDone)
            {
                Assert.Equal("running", status["state"]!.GetValue<string>());
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, status.ToJsonString());
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }
}
