using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace OrleansLicensing.PostgreSqlTests;

/// <summary>What one request answered, and when (seconds since the load started).</summary>
public sealed record Answer(string Kind, int Status, string? Code, double StartedAt, double EndedAt, string? Gateway = null)
{
    public double Seconds => EndedAt - StartedAt;

    public bool Succeeded => Status is >= 200 and < 300;
}

/// <summary>
/// A distributor's mix through every gateway in turn: redeem an activation key into a project
/// (1 unit of <see cref="KeyType"/>), bind 1 unit of <see cref="BindType"/> to a device drawing from two other projects (the
/// cross-project transaction), and device polls. Each unit-moving operation carries its own
/// <c>Idempotency-Key</c>; with retries enabled, the client repeats a 503 (TransientConflict or
/// StorageUnavailable) with the same key, as a distributor's client does (docs/operations.md).
/// </summary>
public sealed class MixedLoad(IReadOnlyList<string> gateways)
{
    public const string BindType = "PBX-Port8";
    public const string KeyType = "PBX-Port8*5";
    private const int Funded = 5000;
    private const int Devices = 12;
    private const int Keys = 150;

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(60) };
    private readonly ConcurrentQueue<string> _keys = new();
    private readonly ConcurrentBag<Answer> _answers = [];
    private readonly ConcurrentBag<Operation> _operations = [];
    private readonly Stopwatch _clock = new();
    private string _token = string.Empty;
    private string _companyId = string.Empty;
    private string _home = string.Empty;
    private string _target = string.Empty;
    private string[] _sources = [];
    private (string Mac, string Secret)[] _devices = [];

    /// <summary>An operation and how it ended (after the client's retries, if any).</summary>
    public sealed record Operation(string Kind, string Path, object Body, string IdempotencyKey, bool Succeeded, int Attempts);

    public IReadOnlyCollection<Answer> Answers => _answers;

    public IReadOnlyCollection<Operation> Operations => _operations;

    public IReadOnlyList<(string Mac, string Secret)> DeviceList => _devices;

    /// <summary>Seconds since the load started (the time base of <see cref="Answers"/>).</summary>
    public double Now => _clock.Elapsed.TotalSeconds;

    /// <summary>A company with a home project holding the devices, two funded source projects and a target for redeems; keys minted ahead.</summary>
    public async Task SeedAsync()
    {
        var gateway = gateways[0];
        var email = $"load-{Guid.NewGuid():N}@example.com";
        await ExpectAsync(HttpMethod.Post, gateway + "/api/v1/accounts", new { email, password = "correct horse", displayName = "Load", language = "en" }, null, HttpStatusCode.Created);

        // The activation code waits in the outbox (no SMTP configured), as in the README walkthrough.
        var mails = await ExpectAsync(HttpMethod.Get, gateway + $"/api/v1/vendor/mail/{email}", null, LocalCluster.VendorKey, HttpStatusCode.OK);
        var code = System.Text.RegularExpressions.Regex.Match(mails[0]!["body"]!.GetValue<string>(), "[0-9A-Z]{4}(-[0-9A-Z]{4}){3}").Value;
        await ExpectAsync(HttpMethod.Post, gateway + "/api/v1/accounts/activate", new { email, code }, null, HttpStatusCode.OK);
        _token = (await ExpectAsync(HttpMethod.Post, gateway + "/api/v1/auth/token", new { email, password = "correct horse" }, null, HttpStatusCode.OK))["accessToken"]!.GetValue<string>();
        var company = await ExpectAsync(HttpMethod.Post, gateway + "/api/v1/companies", new { name = "Fault Load" }, _token, HttpStatusCode.Created);
        _companyId = company["companyId"]!.GetValue<string>();
        _home = company["defaultProjectId"]!.GetValue<string>();
        var projects = new List<string>();
        foreach (var name in new[] { "Source A", "Source B", "Target" })
        {
            projects.Add((await ExpectAsync(HttpMethod.Post, $"{gateway}/api/v1/companies/{_companyId}/projects", new { name }, _token, HttpStatusCode.Created))["projectId"]!.GetValue<string>());
        }

        _sources = [projects[0], projects[1]];
        _target = projects[2];
        foreach (var source in _sources)
        {
            var key = await MintAsync(gateway, BindType, Funded);
            await ExpectAsync(HttpMethod.Post, $"{gateway}/api/v1/companies/{_companyId}/projects/{source}/activations", new { key }, _token, HttpStatusCode.Created);
        }

        var first = Random.Shared.Next(0x100000, 0xF00000);
        var registration = new { devices = Enumerable.Range(first, Devices).Select(s => new { mac = s.ToString("x6", CultureInfo.InvariantCulture), deviceType = "IP6000", orderNumber = "FAULT", shipDate = "2026-01-01" }).ToArray() };
        var registered = await ExpectAsync(HttpMethod.Post, gateway + "/api/v1/vendor/hardware", registration, LocalCluster.VendorKey, HttpStatusCode.Created);
        _devices = registered["devices"]!.AsArray().Select(d => (d!["mac"]!.GetValue<string>(), d["deviceSecret"]!.GetValue<string>())).ToArray();
        await ExpectAsync(HttpMethod.Post, $"{gateway}/api/v1/companies/{_companyId}/projects/{_home}/devices", new { macs = _devices.Select(d => d.Mac).ToArray() }, _token, HttpStatusCode.OK);

        await Parallel.ForEachAsync(Enumerable.Range(0, Keys), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, _) =>
            _keys.Enqueue(await MintAsync(gateways[i % gateways.Count], KeyType, 1)));
    }

    /// <summary>
    /// Runs <paramref name="workers"/> operation loops and <paramref name="pollers"/> poll loops until
    /// <paramref name="stop"/> is cancelled; <paramref name="attempts"/> answers per operation at most.
    /// </summary>
    public Task RunAsync(int workers, int pollers, int attempts, CancellationToken stop)
    {
        _clock.Start();
        var operations = Enumerable.Range(0, workers).Select(worker => Task.Run(async () =>
        {
            var random = new Random(worker);
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var gateway = worker + i;
                if (i % 3 == 0 && _keys.TryDequeue(out var key))
                {
                    await OperateAsync("redeem", $"/api/v1/companies/{_companyId}/projects/{_target}/activations", new { key }, gateway, attempts);
                }
                else
                {
                    var mac = _devices[random.Next(_devices.Length)].Mac;
                    await OperateAsync("bind", $"/api/v1/companies/{_companyId}/devices/{mac}/licenses", new { version = "V13", licenses = new Dictionary<string, int> { [BindType] = 1 }, fromProjects = _sources }, gateway, attempts);
                }
            }
        }));
        var polls = Enumerable.Range(0, pollers).Select(poller => Task.Run(async () =>
        {
            for (var i = poller; !stop.IsCancellationRequested; i++)
            {
                // A device polls again after a failed poll; with retries, this one does so after 250 ms.
                var device = _devices[i % _devices.Length];
                for (var attempt = 1; ; attempt++)
                {
                    var answer = await PollAsync(gateways[(i + attempt - 1) % gateways.Count], device, record: true);
                    if (answer.Succeeded || answer.Status != 503 || attempt >= attempts)
                    {
                        _operations.Add(new Operation("poll", device.Mac, new { }, string.Empty, answer.Succeeded, attempt));
                        break;
                    }

                    await Task.Delay(250, CancellationToken.None);
                }

                await Task.Delay(20, CancellationToken.None);
            }
        }));
        return Task.WhenAll(operations.Concat(polls));
    }

    /// <summary>Repeats an operation that ended in failure, with its Idempotency-Key, until it succeeds (the client settling it later).</summary>
    public async Task<bool> SettleAsync(Operation failed)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            var answer = await SendOnceAsync(failed.Kind + "-settle", gateways[0] + failed.Path, failed.Body, failed.IdempotencyKey, record: false);
            if (answer.Succeeded)
            {
                return true;
            }

            await Task.Delay(500);
        }

        return false;
    }

    /// <summary>Units bound to the devices, units left in the two source projects, units redeemed into the target.</summary>
    public async Task<(long OnDevices, long InSources, long InTarget)> CountAsync()
    {
        var gateway = gateways[0];
        long onDevices = 0;
        foreach (var (mac, _) in _devices)
        {
            var device = await ExpectAsync(HttpMethod.Get, $"{gateway}/api/v1/companies/{_companyId}/devices/{mac}", null, _token, HttpStatusCode.OK);
            onDevices += device["licenses"]!.AsArray().Where(l => l!["type"]!.GetValue<string>() == BindType).Sum(l => l!["units"]!.GetValue<int>());
        }

        long inSources = 0;
        foreach (var source in _sources)
        {
            inSources += await BalanceAsync(gateway, source, BindType);
        }

        return (onDevices, inSources, await BalanceAsync(gateway, _target, KeyType));
    }

    public static long FundedUnits => 2L * Funded;

    public async Task<JsonNode> AuditAsync() =>
        await ExpectAsync(HttpMethod.Get, gateways[0] + "/api/v1/vendor/audit", null, LocalCluster.VendorKey, HttpStatusCode.OK);

    /// <summary>One poll of a device through a gateway.</summary>
    public async Task<Answer> PollAsync(string gateway, (string Mac, string Secret) device, bool record)
    {
        var started = Now;
        int status;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, gateway + "/api/v1/device/license");
            request.Headers.TryAddWithoutValidation("X-Device-Mac", device.Mac);
            request.Headers.TryAddWithoutValidation("X-Device-Secret", device.Secret);
            using var response = await _http.SendAsync(request);
            await response.Content.ReadAsByteArrayAsync();
            status = (int)response.StatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            status = 0;
        }

        var answer = new Answer("poll", status, null, started, Now, gateway);
        if (record)
        {
            _answers.Add(answer);
        }

        return answer;
    }

    private async Task OperateAsync(string kind, string path, object body, int gateway, int attempts)
    {
        var idempotencyKey = Guid.NewGuid().ToString("N");
        for (var attempt = 1; ; attempt++)
        {
            var answer = await SendOnceAsync(kind, gateways[(gateway + attempt - 1) % gateways.Count] + path, body, idempotencyKey, record: true);
            var retryable = answer.Status == 503 && answer.Code is "TransientConflict" or "StorageUnavailable";
            if (answer.Succeeded || !retryable || attempt >= attempts)
            {
                _operations.Add(new Operation(kind, path, body, idempotencyKey, answer.Succeeded, attempt));
                return;
            }

            await Task.Delay(250);
        }
    }

    private async Task<Answer> SendOnceAsync(string kind, string url, object body, string idempotencyKey, bool record)
    {
        var started = Now;
        int status;
        string? code = null;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body) };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
            request.Headers.TryAddWithoutValidation("Idempotency-Key", idempotencyKey);
            using var response = await _http.SendAsync(request);
            status = (int)response.StatusCode;
            if (status >= 400)
            {
                var text = await response.Content.ReadAsStringAsync();
                code = text.Length > 0 && text[0] == '{' ? JsonNode.Parse(text)?["code"]?.GetValue<string>() : null;
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            status = 0;
        }

        var answer = new Answer(kind, status, code, started, Now, new Uri(url).GetLeftPart(UriPartial.Authority));
        if (record)
        {
            _answers.Add(answer);
        }

        return answer;
    }

    private async Task<long> BalanceAsync(string gateway, string project, string type)
    {
        var balance = await ExpectAsync(HttpMethod.Get, $"{gateway}/api/v1/companies/{_companyId}/projects/{project}/balance", null, _token, HttpStatusCode.OK);
        return balance["licenses"]?[type]?.GetValue<int>() ?? 0;
    }

    private async Task<string> MintAsync(string gateway, string type, int units) =>
        (await ExpectAsync(HttpMethod.Post, gateway + "/api/v1/vendor/activation-keys", new { licenses = new Dictionary<string, int> { [type] = units }, orderNumber = "FAULT" }, LocalCluster.VendorKey, HttpStatusCode.Created))["key"]!.GetValue<string>();

    private async Task<JsonNode> ExpectAsync(HttpMethod method, string url, object? body, string? bearer, HttpStatusCode expected)
    {
        using var request = new HttpRequestMessage(method, url) { Content = body is null ? null : JsonContent.Create(body) };
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{method} {url}: expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        return text.Length == 0 ? new JsonObject() : JsonNode.Parse(text)!;
    }

    /// <summary>A one-line account of the answers, for the test output.</summary>
    public static string Describe(IEnumerable<Answer> answers) =>
        string.Join(", ", answers.GroupBy(a => (a.Kind, a.Status, a.Code)).OrderBy(g => g.Key.Kind).ThenBy(g => g.Key.Status)
            .Select(g => $"{g.Key.Kind} {g.Key.Status}{(g.Key.Code is null ? string.Empty : " " + g.Key.Code)} × {g.Count()}"));
}
