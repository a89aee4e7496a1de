using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Trace;
using YamlDotNet.RepresentationModel;

namespace OrleansLicensing.ApiTests;

/// <summary>
/// Metric and activity listeners are process-wide (they match meters and sources by name), so
/// a node of another test running at the same time would add its polls and redeems to the
/// counters asserted here. These tests therefore run alone, after the parallel ones.
/// </summary>
[CollectionDefinition(nameof(ObservabilityCollection), DisableParallelization = true)]
public sealed class ObservabilityCollection;

/// <summary>Traces, metrics, readiness and the shipped dashboards are real and consistent.</summary>
[Collection(nameof(ObservabilityCollection))]
public sealed partial class ObservabilityTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_redeem_is_one_trace_from_the_http_request_through_grain_calls_to_the_storage_write()
    {
        var spans = new LockedCollection<Activity>();
        await using var app = new LicensingApp("Memory", testServices: services => services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(spans)), settings: new Dictionary<string, string> { ["Telemetry:Tracing"] = "true" });
        var api = new Api(app.CreateClient());
        var token = await api.RegisterAndLoginAsync();
        var (companyId, projectId) = await api.CreateCompanyAsync(token);
        var key = await api.MintKeyAsync(new Dictionary<string, int> { ["PBX-Port8*20"] = 2 });

        var redeem = await api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{companyId}/projects/{projectId}/activations", new { key }, token);
        Assert.Equal(HttpStatusCode.Created, redeem.StatusCode);
        var traceId = Assert.Single(redeem.Headers.GetValues("X-Trace-Id"));
        // Spans are exported when they end; the server span can end just after the client has
        // read the response, so wait (briefly) until the whole trace has arrived.
        bool IsServer(Activity s) => s.Kind == ActivityKind.Server && s.Source.Name == "Microsoft.AspNetCore" && s.DisplayName.Contains("activations", StringComparison.Ordinal);
        bool IsGrainCall(Activity s, string grain) => s.Source.Name.StartsWith("Microsoft.Orleans", StringComparison.Ordinal) && s.DisplayName.Contains(grain, StringComparison.Ordinal);
        bool IsStorageWrite(Activity s) => s.Source.Name == "OrleansLicensing.Storage" && s.DisplayName.StartsWith("storage write", StringComparison.Ordinal);
        bool Complete(List<Activity> t) => t.Any(IsServer) && t.Any(s => IsGrainCall(s, "LedgerGrain")) && t.Any(s => IsGrainCall(s, "ActivationKeyGrain"))
            && t.Any(s => IsGrainCall(s, "ProjectGrain")) && t.Any(IsStorageWrite);

        var trace = new List<Activity>();
        for (var attempt = 0; attempt < 50 && !Complete(trace); attempt++)
        {
            app.Services.GetRequiredService<TracerProvider>().ForceFlush();
            await Task.Delay(attempt == 0 ? 0 : 100, TestContext.Current.CancellationToken);
            trace = spans.Where(s => s.TraceId.ToHexString() == traceId).ToList();
        }

        foreach (var span in trace)
        {
            output.WriteLine($"{span.Source.Name} | {span.Kind} | {span.DisplayName}");
        }

        Assert.Contains(trace, IsServer);
        Assert.Contains(trace, s => IsGrainCall(s, "LedgerGrain"));
        Assert.Contains(trace, s => IsGrainCall(s, "ActivationKeyGrain"));
        Assert.Contains(trace, s => IsGrainCall(s, "ProjectGrain"));
        Assert.Contains(trace, IsStorageWrite);

        // The same trace id is what a failing request reports in its problem+json.
        var again = await api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{companyId}/projects/{projectId}/activations", new { key }, token);
        var problem = await Api.AssertProblem(again, HttpStatusCode.Conflict, "KeyAlreadyAssigned");
        Assert.Equal(Assert.Single(again.Headers.GetValues("X-Trace-Id")), problem["traceId"]!.GetValue<string>());
    }

    [Fact]
    public async Task Metrics_expose_every_licensing_signal_with_its_tags()
    {
        await using var app = new LicensingApp("Memory");
        var api = new Api(app.CreateClient());
        var token = await api.RegisterAndLoginAsync();
        var (companyId, projectId) = await api.CreateCompanyAsync(token);
        var key = await api.MintKeyAsync(new Dictionary<string, int> { ["PBX-Port8*20"] = 3 });
        Assert.Equal(HttpStatusCode.Created, (await api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{companyId}/projects/{projectId}/activations", new { key }, token)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{companyId}/projects/{projectId}/activations", new { key }, token)).StatusCode);
        var (mac, secret) = await api.RegisterHardwareAsync(Api.NewMacSuffix());
        Assert.Equal(HttpStatusCode.OK, (await api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{companyId}/projects/{projectId}/devices", new { macs = new[] { mac } }, token)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{companyId}/devices/{mac}/licenses", new { version = "V13", licenses = new Dictionary<string, int> { ["PBX-Port8*20"] = 2 } }, token)).StatusCode);
        var poll = await api.PollAsync(mac, secret);
        Assert.Equal(HttpStatusCode.NotModified, (await api.PollAsync(mac, secret, poll.Headers.ETag!.Tag)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.PollAsync(mac, "wrong")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.SendAsync(HttpMethod.Get, "/api/v1/vendor/audit", null, LicensingApp.VendorKey)).StatusCode);

        var metrics = await ScrapeAsync(app);

        Assert.Equal(1, metrics.Value("licensing_device_polls_total", ("outcome", "200")));
        Assert.Equal(1, metrics.Value("licensing_device_polls_total", ("outcome", "304")));
        Assert.Equal(1, metrics.Value("licensing_device_polls_total", ("outcome", "401")));

        // Polls are served ahead of routing, yet their latency is still recorded under the route
        // the dashboard and the poll p99 alert select on.
        Assert.Equal(1, metrics.Value("http_server_request_duration_seconds_count", ("http_route", "/api/v1/device/license"), ("http_response_status_code", "200")));
        Assert.Equal(1, metrics.Value("http_server_request_duration_seconds_count", ("http_route", "/api/v1/device/license"), ("http_response_status_code", "304")));
        Assert.Equal(1, metrics.Value("http_server_request_duration_seconds_count", ("http_route", "/api/v1/device/license"), ("http_response_status_code", "401")));
        Assert.Equal(1, metrics.Value("licensing_operations_total", ("kind", "redeem"), ("outcome", "ok")));
        Assert.Equal(1, metrics.Value("licensing_operations_total", ("kind", "redeem"), ("outcome", "KeyAlreadyAssigned")));
        Assert.Equal(1, metrics.Value("licensing_operations_total", ("kind", "add-from-balance"), ("outcome", "ok")));
        Assert.Equal(1, metrics.Value("licensing_keys_minted_total"));
        Assert.Equal(1, metrics.Value("licensing_keys_redeemed_total"));
        Assert.Equal(3, metrics.Value("licensing_units_moved_total", ("kind", "redeem"), ("license_type", "PBX-Port8*20")));
        Assert.Equal(2, metrics.Value("licensing_units_moved_total", ("kind", "add-from-balance"), ("license_type", "PBX-Port8*20")));
        Assert.Equal(0, metrics.Value("licensing_transaction_aborts_total"));
        Assert.Equal(0, metrics.Value("licensing_transaction_retries_total"));
        Assert.Equal(0, metrics.Value("licensing_audit_difference", ("license_type", "PBX-Port8*20")));
        Assert.Equal(1, metrics.Value("licensing_cluster_silos", ("status", "active")));
        Assert.True(metrics.Value("orleans_grains", ("grain_type", "device")) >= 1);
        Assert.True(metrics.Value("licensing_storage_duration_milliseconds_count", ("operation", "write"), ("provider", "memory")) > 0);
    }

    [Fact]
    public async Task Readyz_turns_503_while_the_database_is_unreachable_and_200_when_it_returns()
    {
        var directory = Path.Combine(Path.GetTempPath(), "orleans-licensing-readyz", Guid.NewGuid().ToString("N"));
        var moved = directory + "-away";
        try
        {
            await using var app = new LicensingApp("Sqlite", directory);
            var client = app.CreateClient();
            var ready = await client.GetAsync("/readyz", TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            var detail = JsonNode.Parse(await ready.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
            Assert.Equal("Healthy", detail["checks"]!["storage"]!["status"]!.GetValue<string>());
            Assert.Equal("Healthy", detail["checks"]!["silo"]!["status"]!.GetValue<string>());
            Assert.Equal("Healthy", detail["checks"]!["signing-key"]!["status"]!.GetValue<string>());

            // The SQLite call latency is measured under its provider name.
            await new Api(client).RegisterAndLoginAsync();
            Assert.True((await ScrapeAsync(app)).Value("licensing_storage_duration_milliseconds_count", ("provider", "sqlite"), ("operation", "read")) > 0);

            Directory.Move(directory, moved);
            var broken = await client.GetAsync("/readyz", TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, broken.StatusCode);
            Assert.Equal("Unhealthy", JsonNode.Parse(await broken.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!["checks"]!["storage"]!["status"]!.GetValue<string>());
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz", TestContext.Current.CancellationToken)).StatusCode);

            Directory.Move(moved, directory);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/readyz", TestContext.Current.CancellationToken)).StatusCode);
        }
        finally
        {
            foreach (var path in new[] { directory, moved })
            {
                if (Directory.Exists(path))
                {
                    Directory.Delete(path, recursive: true);
                }
            }
        }
    }

    [Fact]
    public async Task Grafana_dashboard_and_alert_rules_parse_and_use_only_exposed_metrics()
    {
        var root = RepositoryRoot();
        var dashboard = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(root, "deploy", "grafana", "orleans-licensing.json"), TestContext.Current.CancellationToken))!;
        var dashboardExpressions = dashboard["panels"]!.AsArray().SelectMany(p => p!["targets"]!.AsArray()).Select(t => t!["expr"]!.GetValue<string>()).ToList();
        Assert.True(dashboardExpressions.Count >= 10);

        var yaml = new YamlStream();
        using (var reader = new StreamReader(Path.Combine(root, "deploy", "prometheus", "licensing-alerts.yml")))
        {
            yaml.Load(reader);
        }

        var groups = (YamlSequenceNode)((YamlMappingNode)yaml.Documents[0].RootNode).Children[new YamlScalarNode("groups")];
        var rules = groups.Children.Cast<YamlMappingNode>().SelectMany(g => ((YamlSequenceNode)g.Children[new YamlScalarNode("rules")]).Children.Cast<YamlMappingNode>()).ToList();
        var alertExpressions = rules.Select(r => ((YamlScalarNode)r.Children[new YamlScalarNode("expr")]).Value!).ToList();
        Assert.Contains(rules, r => ((YamlScalarNode)r.Children[new YamlScalarNode("alert")]).Value == "LicensingAuditDifference");
        Assert.True(alertExpressions.Count >= 5);

        // Exercise the node so that every series the files use exists, then compare names.
        await using var app = new LicensingApp("Memory");
        var api = new Api(app.CreateClient());
        var (mac, secret) = await api.RegisterHardwareAsync(Api.NewMacSuffix());
        await api.PollAsync(mac, secret);
        var key = await api.MintKeyAsync(new Dictionary<string, int> { ["Relay-PRI"] = 1 });
        var token = await api.RegisterAndLoginAsync();
        var (companyId, projectId) = await api.CreateCompanyAsync(token);
        await api.SendAsync(HttpMethod.Post, $"/api/v1/companies/{companyId}/projects/{projectId}/activations", new { key }, token);
        await api.SendAsync(HttpMethod.Get, "/api/v1/vendor/audit", null, LicensingApp.VendorKey);
        var exposed = (await ScrapeAsync(app)).Names;

        foreach (var expression in dashboardExpressions.Concat(alertExpressions))
        {
            foreach (Match name in MetricName().Matches(expression))
            {
                Assert.True(exposed.Contains(name.Value), $"'{name.Value}' in '{expression}' is not exposed on /metrics");
            }
        }
    }

    [Fact]
    public async Task The_Orleans_dashboard_is_off_in_production_unless_enabled_and_then_served_on_its_path()
    {
        await using (var plain = new LicensingApp("Memory"))
        {
            await Api.AssertProblem(await plain.CreateClient().GetAsync("/dashboard/", TestContext.Current.CancellationToken), HttpStatusCode.NotFound, "NotFound");
        }

        await using var enabled = new LicensingApp("Memory", settings: new Dictionary<string, string> { ["Dashboard:Enabled"] = "true", ["Dashboard:Path"] = "/ops/orleans" });
        var page = await enabled.CreateClient().GetAsync("/ops/orleans/", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Orleans Dashboard", await page.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [GeneratedRegex(@"\b(?:licensing|orleans|http_server|kestrel|aspnetcore|dotnet|process)_[a-z0-9_]+\b")]
    private static partial Regex MetricName();

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "OrleansLicensing.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("OrleansLicensing.sln not found above the test binaries.");
    }

    private static async Task<Scrape> ScrapeAsync(LicensingApp app)
    {
        var response = await app.CreateClient().GetAsync("/metrics", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return new Scrape(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    /// <summary>A parsed Prometheus text exposition.</summary>
    private sealed class Scrape(string text)
    {
        private readonly List<(string Name, Dictionary<string, string> Labels, double Value)> _samples = [.. text.Split('\n')
            .Where(line => line.Length > 0 && line[0] != '#')
            .Select(Parse)];

        public HashSet<string> Names => [.. _samples.Select(s => s.Name)];

        /// <summary>The sum over the series of <paramref name="name"/> that carry all the given labels.</summary>
        public double Value(string name, params (string Key, string Value)[] labels)
        {
            var matching = _samples.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Key, out var v) && v == l.Value)).ToList();
            Assert.True(matching.Count > 0, $"no series {name}{{{string.Join(",", labels.Select(l => $"{l.Key}=\"{l.Value}\""))}}} on /metrics");
            return matching.Sum(s => s.Value);
        }

        private static (string, Dictionary<string, string>, double) Parse(string line)
        {
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            var brace = line.IndexOf('{', StringComparison.Ordinal);
            var space = line.LastIndexOf(' ');
            var name = brace >= 0 ? line[..brace] : line[..line.IndexOf(' ', StringComparison.Ordinal)];
            if (brace >= 0)
            {
                foreach (Match label in LabelPattern().Matches(line[brace..line.LastIndexOf('}')]))
                {
                    labels[label.Groups[1].Value] = label.Groups[2].Value;
                }
            }

            return (name, labels, double.Parse(line[(space + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    [GeneratedRegex("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"")]
    private static partial Regex LabelPattern();
}
