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
        var run = await LoadTestsRun.RunAsync("audit", "--devices", "300");

        LoadTestsRun.AssertClean(run, "## Audit and holder registry at 100,000 holders (issue 14)", "request errors 0");
        Assert.Contains("balanced true", run.Log, StringComparison.Ordinal);
        Assert.Contains("Request errors over the run: 0.", run.Section, StringComparison.Ordinal);
        Assert.Contains("| 300 |", run.Section, StringComparison.Ordinal);
    }
}
