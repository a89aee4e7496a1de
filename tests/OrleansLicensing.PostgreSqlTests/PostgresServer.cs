using System.Diagnostics;
using Npgsql;
using OrleansLicensing.ProcessTests;

[assembly: AssemblyFixture(typeof(OrleansLicensing.PostgreSqlTests.PostgresServer))]

namespace OrleansLicensing.PostgreSqlTests;

/// <summary>
/// One private PostgreSQL for the test assembly (deploy/postgres-local.sh: loopback, a temporary
/// directory, a non-root user), stopped and deleted afterwards. Each test takes a database of its own.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"orleans-licensing-pg-{Guid.NewGuid():N}");

    public string AdminConnectionString { get; private set; } = string.Empty;

    public static string Script => Path.Combine(NodeProcess.RepositoryRoot, "deploy", "postgres-local.sh");

    public async ValueTask InitializeAsync()
    {
        var output = await RunScriptAsync("start", _directory);
        var connection = output.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("CONNECTION_STRING=", StringComparison.Ordinal));
        AdminConnectionString = connection["CONNECTION_STRING=".Length..];
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await RunScriptAsync("stop", _directory);
    }

    /// <summary>A fresh, empty database; answers its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"t_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(AdminConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name};", connection);
            await create.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name }.ToString();
    }

    /// <summary>Stops the server (keeping its data) for fault tests; <see cref="ResumeAsync"/> starts it again.</summary>
    public Task PauseAsync() => RunScriptAsync("pause", _directory);

    public async Task ResumeAsync()
    {
        await RunScriptAsync("resume", _directory);

        // Pooled connections died with the stopped server (57P01); the next test must not get one.
        NpgsqlConnection.ClearAllPools();
    }

    private static async Task<string> RunScriptAsync(string verb, string directory)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Script);
        start.ArgumentList.Add(verb);
        start.ArgumentList.Add(directory);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"postgres-local.sh {verb} failed ({process.ExitCode}):\n{await stdout}\n{await stderr}");
        }

        return await stdout;
    }
}
