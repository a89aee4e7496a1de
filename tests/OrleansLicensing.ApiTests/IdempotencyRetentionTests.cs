using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using OrleansLicensing.Silo;

namespace OrleansLicensing.ApiTests;

/// <summary>
/// Idempotency records expire after `Idempotency:RetentionDays` (default 7, decision D104): inside
/// it a retry gets the first outcome and the effect happens once; after it the key is free again;
/// the sweep deletes the expired records from the database.
/// </summary>
public sealed class IdempotencyRetentionTests
{
    [Fact]
    public async Task A_retry_within_seven_days_replays_after_them_the_key_is_free_and_the_sweep_deletes_the_record()
    {
        var clock = new TestClock();
        var directory = Path.Combine(Path.GetTempPath(), "orleans-licensing-idempotency", Guid.NewGuid().ToString("N"));
        try
        {
            await using var app = new LicensingApp("Sqlite", directory, services => services.AddKeyedSingleton<TimeProvider>(OrleansLicensing.Grains.LicensingClock.Key, clock));
            var http = app.CreateClient();
            var key = "retention-" + Guid.NewGuid().ToString("N");
            var start = clock.GetUtcNow();

            var first = await MintAsync(http, key);
            Assert.Equal(first, await MintAsync(http, key));
            Assert.Equal(1, await RecordsAsync(directory));

            clock.Set(start.AddDays(6).AddHours(23));
            Assert.Equal(first, await MintAsync(http, key));

            // Past the retention the key answers as a new one: a second key is minted.
            clock.Set(start.AddDays(7).AddHours(1));
            var second = await MintAsync(http, key);
            Assert.NotEqual(first, second);
            Assert.Equal(second, await MintAsync(http, key));

            var sweeper = app.Services.GetRequiredService<IdempotencySweeper>();
            Assert.Equal(0, await sweeper.SweepAsync(TestContext.Current.CancellationToken));
            Assert.Equal(1, await RecordsAsync(directory));

            // A day after the retention of its last write (the sweep's margin), the record is gone from the database.
            clock.Set(start.AddDays(16));
            Assert.Equal(1, await sweeper.SweepAsync(TestContext.Current.CancellationToken));
            Assert.Equal(0, await RecordsAsync(directory));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    private static async Task<string> MintAsync(HttpClient http, string idempotencyKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/vendor/activation-keys")
        {
            Content = JsonContent.Create(new { licenses = new Dictionary<string, int> { ["PBX-Port8*20"] = 1 }, orderNumber = "SO-RETENTION" }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", LicensingApp.VendorKey);
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await Api.Json(response))["key"]!.GetValue<string>();
    }

    private static async Task<long> RecordsAsync(string directory)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(directory, "licensing.db"), Pooling = false }.ToString());
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM LicensingGrainState WHERE GrainType = 'idempotency' AND Payload IS NOT NULL";
        return (long)(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
    }
}
