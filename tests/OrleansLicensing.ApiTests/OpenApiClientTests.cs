using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace OrleansLicensing.ApiTests;

/// <summary>
/// The OpenAPI document as client authors use it, with the npm tools of tests/tools/openapi:
/// Redocly's recommended rules, and a TypeScript client generated from it (openapi-typescript +
/// openapi-fetch, <c>tsc --strict</c>) walking the README flow against a listening node.
/// </summary>
public sealed class OpenApiClientTests(SharedApp shared)
{
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Document_passes_Redocly_recommended_rules()
    {
        await OpenApiToolchain.RequireAsync();
        await OpenApiToolchain.ExportDocumentAsync(shared.App);

        // lint.redocly.yaml: extends [recommended].
        var lint = await OpenApiToolchain.NpmAsync(ToolTimeout, "run", "--silent", "lint", "--", "--format", "json");
        var start = lint.StandardOutput.IndexOf('{', StringComparison.Ordinal);
        Assert.True(start >= 0, $"redocly printed no report (exit {lint.ExitCode}):\n{lint.Output}");
        var report = JsonNode.Parse(lint.StandardOutput[start..])!;
        var problems = report["problems"]!.AsArray().Select(p => (
            Rule: p!["ruleId"]!.GetValue<string>(),
            Severity: p["severity"]!.GetValue<string>(),
            Message: p["message"]!.GetValue<string>(),
            Where: p["location"]?[0]?["pointer"]?.GetValue<string>())).ToList();

        var summary = new StringBuilder();
        foreach (var rule in problems.GroupBy(p => (p.Severity, p.Rule)).OrderBy(g => g.Key.Severity).ThenBy(g => g.Key.Rule))
        {
            summary.AppendLine($"{rule.Key.Severity} {rule.Key.Rule}: {rule.Count()} ({rule.First().Message})");
            foreach (var problem in rule)
            {
                summary.AppendLine($"    {problem.Where}");
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"redocly lint (recommended) in {lint.Elapsed.TotalSeconds:0.0}s: {report["totals"]!.ToJsonString()}\n{summary}");
        var errors = report["totals"]!["errors"]!.GetValue<int>();
        Assert.True(errors == 0, $"Redocly 'recommended' reports {errors} errors in /openapi/v1.json:\n{summary}");
    }

    [Fact]
    public async Task Typed_TypeScript_client_walks_the_README_flow_against_a_listening_node()
    {
        await OpenApiToolchain.RequireAsync();
        await OpenApiToolchain.ExportDocumentAsync(shared.App);

        // openapi-typescript writes out/schema.d.ts; tsc --strict compiles walkthrough.ts against it.
        var build = await OpenApiToolchain.NpmAsync(ToolTimeout, "run", "--silent", "client");
        Assert.True(build.ExitCode == 0, $"generating the client types or compiling walkthrough.ts failed:\n{build.Output}");

        await using var node = new LicensingApp("Memory");
        node.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        node.StartServer();
        var baseUrl = node.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses
            .Single(a => a.StartsWith("http://", StringComparison.Ordinal));

        var walkthrough = await OpenApiToolchain.NodeAsync(ToolTimeout, "out/js/walkthrough.js", baseUrl, LicensingApp.VendorKey);
        TestContext.Current.TestOutputHelper?.WriteLine($"tsc and types in {build.Elapsed.TotalSeconds:0.0}s; walkthrough against {baseUrl} in {walkthrough.Elapsed.TotalSeconds:0.0}s:\n{walkthrough.Output}");
        Assert.True(walkthrough.ExitCode == 0, $"walkthrough.ts exited {walkthrough.ExitCode}:\n{walkthrough.Output}");
        Assert.Contains("ok device poll: 200", walkthrough.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("ok conditional poll: 304", walkthrough.StandardOutput, StringComparison.Ordinal);
        Assert.EndsWith("walkthrough passed", walkthrough.StandardOutput.TrimEnd(), StringComparison.Ordinal);
    }
}
