namespace OrleansLicensing.ProcessTests;

/// <summary>
/// CI smoke of the poll benchmark (issue 14), so the scenario does not rot: the LoadTests binary
/// runs it for a second per measurement against the node binary of this build as its own process,
/// with its baseline process (and wrk where installed), and must finish with zero failed requests
/// and write its section. No timing is asserted.
/// </summary>
public sealed class PollBenchmarkSmokeTests
{
    [Fact]
    public async Task Poll_benchmark_runs_from_outside_against_the_node_process_with_zero_errors()
    {
        var run = await LoadTestsRun.RunAsync("poll", "--seconds", "1", "--rounds", "1", "--concurrency", "4", "--devices", "10", "--poll-devices", "20");
        LoadTestsRun.AssertClean(run, "## Device poll hot path", "poll errors: 0");
        Assert.Contains("Requests that failed or were not answered 200/304, over the whole run: 0.", run.Section, StringComparison.Ordinal);
    }
}
