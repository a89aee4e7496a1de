using System.Diagnostics;

namespace OrleansLicensing.ProcessTests;

/// <summary>
/// One run of the LoadTests binary of this build, as an operator runs a benchmark: it starts the
/// node binary of the same configuration as a process of its own and drives it over HTTP. The CI
/// smoke of each scenario runs it with tiny sizes and asserts zero errors, never a figure.
/// </summary>
public static class LoadTestsRun
{
    /// <summary>Runs <c>--only <paramref name="scenario"/></c> with <paramref name="arguments"/>; returns the exit code, its whole output and the section it wrote.</summary>
    public static async Task<(int ExitCode, string Log, string Section)> RunAsync(string scenario, params string[] arguments)
    {
        var output = Path.Combine(Path.GetTempPath(), $"{scenario}-smoke-{Guid.NewGuid():N}.md");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = NodeProcess.RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(NodeProcess.OutputDirectory("LoadTests"), "OrleansLicensing.LoadTests.dll"));
        foreach (var argument in new[] { "--only", scenario }.Concat(arguments).Concat(["--node-configuration", NodeProcess.Configuration, "--out", output]))
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
        var section = File.Exists(output) ? await File.ReadAllTextAsync(output, TestContext.Current.CancellationToken) : string.Empty;
        File.Delete(output);
        return (run.ExitCode, log, section);
    }

    /// <summary>The run ended well, printed "<paramref name="scenario"/> errors: 0" where the scenario counts them, and wrote its section.</summary>
    public static void AssertClean((int ExitCode, string Log, string Section) run, string heading, string? errorLine = null)
    {
        Assert.True(run.ExitCode == 0, run.Log);
        if (errorLine is not null)
        {
            Assert.True(run.Log.Contains(errorLine, StringComparison.Ordinal), run.Log);
        }

        Assert.Contains(heading, run.Section, StringComparison.Ordinal);
    }
}
