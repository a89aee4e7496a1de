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
        var output = Path.Combine(Path.GetTempPath(), $"poll-smoke-{Guid.NewGuid():N}.md");
        var (exitCode, log) = await LoadTestsProcess.RunAsync(
            ["--only", "poll", "--seconds", "1", "--rounds", "1", "--concurrency", "4", "--devices", "10", "--poll-devices", "20", "--out", output],
            TimeSpan.FromMinutes(5));

        Assert.True(exitCode == 0, log);
        Assert.Contains("poll errors: 0", log, StringComparison.Ordinal);
        var section = await File.ReadAllTextAsync(output, TestContext.Current.CancellationToken);
        File.Delete(output);
        Assert.Contains("## Device poll hot path", section, StringComparison.Ordinal);
        Assert.Contains("Requests that failed or were not answered 200/304, over the whole run: 0.", section, StringComparison.Ordinal);
    }
}
