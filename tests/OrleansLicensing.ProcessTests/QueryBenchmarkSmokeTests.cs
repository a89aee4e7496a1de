namespace OrleansLicensing.ProcessTests;

/// <summary>
/// CI smoke of the read scenarios (R-Q1 search, R-Q2 history): small seedings, a few timed reads.
/// The scenarios check every answer themselves and stop with an error on a wrong one; here they
/// must end with exit code 0 and their section. No timing is asserted.
/// </summary>
public sealed class QueryBenchmarkSmokeTests
{
    [Fact]
    public async Task Search_scenario_runs_every_kind_of_search_without_a_wrong_answer()
    {
        var run = await LoadTestsRun.RunAsync("search", "--search-devices", "500", "--queries", "5");
        LoadTestsRun.AssertClean(run, "## Search over 10,000 devices (R-Q1)");
    }

    [Fact]
    public async Task History_scenario_pages_through_the_log_without_a_wrong_answer()
    {
        var run = await LoadTestsRun.RunAsync("history", "--history-events", "1000", "--queries", "5");
        LoadTestsRun.AssertClean(run, "## History of a company with 100,000 events (R-Q2)");
    }
}
