namespace OrleansLicensing.ProcessTests;

/// <summary>
/// CI smoke of the license-operation scenarios (issue 14): the LoadTests binary runs each against
/// the node binary of this build as its own process, with two companies of a few devices and one
/// short round. Every answer must be the expected one, the tool's read-back and the audit must
/// agree; no timing is asserted.
/// </summary>
public sealed class LicenseOperationsBenchmarkSmokeTests
{
    private static readonly string[] Small = ["--seconds", "1", "--min-seconds", "1", "--warmup-seconds", "1", "--rounds", "1", "--companies", "2", "--clients", "4"];

    [Fact]
    public async Task License_ops_cross_project_binds_run_with_zero_errors_and_a_balanced_audit()
    {
        var run = await LoadTestsRun.RunAsync("license-ops", [.. Small, "--devices-per-company", "4"]);
        LoadTestsRun.AssertClean(run, "## License operations on one SQLite node, measured from outside", "license-ops errors: 0");
        Assert.Contains("| balanced |", run.Section, StringComparison.Ordinal);
    }

    [Fact]
    public async Task License_mix_runs_every_kind_with_zero_errors_and_no_conservation_difference()
    {
        var run = await LoadTestsRun.RunAsync("license-mix", [.. Small, "--devices-per-company", "8"]);
        LoadTestsRun.AssertClean(run, "## Mixed license operations on one SQLite node", "license-mix errors: 0");
        Assert.Contains("(funding + keys): no difference.", run.Section, StringComparison.Ordinal);
        Assert.Contains("Audit after the last round: balanced.", run.Section, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Redeem_burst_redeems_every_key_once_and_refuses_every_duplicate()
    {
        var run = await LoadTestsRun.RunAsync("redeem-burst", "--keys", "40", "--concurrency", "8", "--rounds", "1");
        LoadTestsRun.AssertClean(run, "## Activation-key redeem burst", "redeem-burst errors: 0");
        Assert.Contains("| 4 / 4 |", run.Section, StringComparison.Ordinal);
        Assert.Contains("every key redeemed exactly once", run.Section, StringComparison.Ordinal);
    }
}
