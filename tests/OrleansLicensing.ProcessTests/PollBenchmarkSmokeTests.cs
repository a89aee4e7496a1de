using System.Diagnostics;

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
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = NodeProcess.RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(NodeProcess.OutputDirectory("LoadTests"), "OrleansLicensing.LoadTests.dll"));
        foreach (var argument in new[] { "--only", "poll", "--seconds", "1", "--rounds", "1", "--concurrency", "4", "--devices", "10", "--poll-devices", "20", "--node-configuration", NodeProcess.Configuration, "--out", output })
        {
            start.ArgumentList.Add(argument);
        }

        using var run = Process.Start(start)!;
        var stdout = run.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = run.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(5));
        try
        {
            await run.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            run.Kill(entireProcessTree: true);
            throw;
        }

        var log = await stdout + await stderr;
        Assert.True(run.ExitCode == 0, log);
        Assert.Contains("poll errors: 0", log, StringComparison.Ordinal);
        var section = await File.ReadAllTextAsync(output, TestContext.Current.CancellationToken);
        File.Delete(output);
        Assert.Contains("## Device poll hot path", section, StringComparison.Ordinal);
        Assert.Contains("Requests that failed or were not answered 200/304, over the whole run: 0.", section, StringComparison.Ordinal);
    }
}
