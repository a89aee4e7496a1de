using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Orleans;
using Orleans.Transactions;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains;

namespace OrleansLicensing.ApiTests;

/// <summary>
/// Issue 4's conflict rule end to end: contention aborts are retried inside the cluster; when
/// every attempt aborts the caller gets 503 TransientConflict with Retry-After, and nothing of
/// the operation is applied.
/// </summary>
public sealed class ContentionTests
{
    [Fact]
    public async Task A_move_that_keeps_aborting_is_retried_then_answered_503_TransientConflict_without_effect()
    {
        var contention = new ContentionInjector();
        await using var app = new LicensingApp("Memory", testServices: services => services.AddSingleton<IIncomingGrainCallFilter>(contention));
        var api = new Api(app.CreateClient());
        var token = await api.RegisterAndLoginAsync();
        var (companyId, projectId) = await api.CreateCompanyAsync(token);
        var key = await api.MintKeyAsync(new Dictionary<string, int> { ["PBX-Port8*20"] = 5 });
        var redeem = $"/api/v1/companies/{companyId}/projects/{projectId}/activations";
        var metrics = app.Services.GetRequiredService<LedgerMetrics>();
        var abortsBefore = metrics.AbortCount;
        var retriesBefore = metrics.RetryCount;

        // Every attempt's credit to the project (ReceiveKeyAsync) meets a broken lock, as under heavy contention.
        contention.Active = true;
        var busy = await api.SendAsync(HttpMethod.Post, redeem, new { key }, token);
        contention.Active = false;

        await Api.AssertProblem(busy, HttpStatusCode.ServiceUnavailable, "TransientConflict");
        Assert.NotNull(busy.Headers.RetryAfter);
        Assert.Equal(6, contention.Injected);
        Assert.Equal(6, metrics.AbortCount - abortsBefore);
        Assert.Equal(5, metrics.RetryCount - retriesBefore);

        // Nothing was applied: the balance is empty and the key can still be redeemed, once.
        Assert.Null((await api.BalanceAsync(token, companyId, projectId))["PBX-Port8*20"]);
        Assert.Equal(HttpStatusCode.Created, (await api.SendAsync(HttpMethod.Post, redeem, new { key }, token)).StatusCode);
        Assert.Equal(5, (await api.BalanceAsync(token, companyId, projectId))["PBX-Port8*20"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.OK, (await api.SendAsync(HttpMethod.Get, "/api/v1/vendor/audit", null, LicensingApp.VendorKey)).StatusCode);
    }

    private sealed class ContentionInjector : IIncomingGrainCallFilter
    {
        private int _injected;

        public volatile bool Active;

        public int Injected => Volatile.Read(ref _injected);

        public Task Invoke(IIncomingGrainCallContext context)
        {
            if (Active && context.InterfaceMethod?.Name == nameof(IProjectGrain.ReceiveKeyAsync))
            {
                Interlocked.Increment(ref _injected);
                throw new OrleansBrokenTransactionLockException(Guid.NewGuid().ToString(), "injected contention");
            }

            return context.Invoke();
        }
    }
}
