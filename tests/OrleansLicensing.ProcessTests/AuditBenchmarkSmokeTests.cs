namespace OrleansLicensing.ProcessTests;

/// <summary>
/// CI smoke of the audit scenario (issue 14), so it does not rot: the LoadTests binary seeds a few
/// hundred device holders on the node binary of this build (its own process), restarts it, runs
/// the audit as the cluster's job through the 202 answer and the progress route, and must finish
/// with zero request errors, a balanced audit over every holder, and its section. No timing is asserted.
/// </summary>
public sealed class AuditBenchmarkSmokeTests
{
    [Fact]
    public async Task Audit_benchmark_seeds_holders_and_audits_them_from_outside_with_zero_errors()
    {
        var output = Path.Combine(Path.GetTempPath(), $"audit-smoke-{Guid.NewGuid():N}.md");
        var (exitCode, log) = await LoadTestsProcess.RunAsync(["--only", "audit", "--devices", "300", "--out", output], TimeSpan.FromMinutes(5));

        Assert.True(exitCode == 0, log);
        Assert.Contains("request errors 0", log, StringComparison.Ordinal);
        Assert.Contains("balanced true", log, StringComparison.Ordinal);
        var section = await File.ReadAllTextAsync(output, TestContext.Current.CancellationToken);
        File.Delete(output);
        Assert.Contains(AuditHeading, section, StringComparison.Ordinal);
        Assert.Contains("Request errors over the run: 0.", section, StringComparison.Ordinal);
        Assert.Contains("| 300 |", section, StringComparison.Ordinal);
    }

    private const string AuditHeading = "## Audit and holder registry at 100,000 holders (issue 14)";
}
