using System.Diagnostics;

namespace OrleansLicensing.ProcessTests;

/// <summary>
/// Runs the LoadTests binary of this build as its own process for a CI smoke of one benchmark
/// scenario (it starts the node binary of this build itself); returns its exit code and output.
/// </summary>
public static class LoadTestsProcess
{
    public static async Task<(int ExitCode, string Log)> RunAsync(IEnumerable<string> arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = NodeProcess.RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(NodeProcess.OutputDirectory("LoadTests"), "OrleansLicensing.LoadTests.dll"));
        foreach (var argument in arguments.Concat(["--node-configuration", NodeProcess.Configuration]))
        {
            start.ArgumentList.Add(argument);
        }

        using var run = Process.Start(start)!;
        var stdout = run.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = run.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cancel.CancelAfter(timeout);
        try
        {
            await run.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            run.Kill(entireProcessTree: true);
            throw;
        }

        return (run.ExitCode, await stdout + await stderr);
    }
}
