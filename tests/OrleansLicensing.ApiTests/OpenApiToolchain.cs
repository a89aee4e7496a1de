using System.ComponentModel;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Mvc.Testing;

namespace OrleansLicensing.ApiTests;

/// <summary>
/// The npm tools of <c>tests/tools/openapi</c> (Redocly CLI, openapi-typescript, openapi-fetch,
/// TypeScript; versions pinned in its package-lock.json). Installed with <c>npm ci</c> at most
/// once per test run, and not at all while <c>node_modules</c> matches the lock file; a file
/// lock keeps two test processes from installing into the same folder at once.
/// </summary>
internal static class OpenApiToolchain
{
    /// <summary>The document exported from the in-process node, shared by the npm scripts.</summary>
    public const string DocumentPath = "out/openapi.json";

    private const string Stamp = "node_modules/.orleans-licensing-installed";
    private static readonly Lazy<Task<string?>> Installation = new(InstallAsync);
    private static readonly Lock ExportLock = new();
    private static Task? _export;

    public static string Directory { get; } = FindToolsDirectory();

    private static string Npm => OperatingSystem.IsWindows() ? "npm.cmd" : "npm";

    /// <summary>Installs the tools once per run; skips the calling test when npm is not installed.</summary>
    public static async Task RequireAsync()
    {
        if (await Installation.Value is { } missing)
        {
            Assert.Skip(missing);
        }
    }

    /// <summary>Writes the node's <c>/openapi/v1.json</c> to <see cref="DocumentPath"/>, once per run.</summary>
    public static Task ExportDocumentAsync(LicensingApp app)
    {
        lock (ExportLock)
        {
            return _export ??= ExportAsync(app);
        }
    }

    public static Task<ProcessResult> NpmAsync(TimeSpan timeout, params string[] arguments) => RunAsync(Npm, arguments, timeout);

    public static Task<ProcessResult> NodeAsync(TimeSpan timeout, params string[] arguments) => RunAsync("node", arguments, timeout);

    private static async Task ExportAsync(LicensingApp app)
    {
        // A loopback host rather than TestServer's "localhost", which Redocly flags as a server URL.
        using var client = app.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("http://127.0.0.1") });
        var document = await client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative));
        var path = Path.Combine(Directory, DocumentPath);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, document);
    }

    /// <summary>Null when the tools are ready; the reason to skip when npm is not there.</summary>
    private static async Task<string?> InstallAsync()
    {
        try
        {
            var version = await RunAsync(Npm, ["--version"], TimeSpan.FromSeconds(60));
            if (version.ExitCode != 0)
            {
                return $"npm is unavailable ('npm --version' exited {version.ExitCode}): the OpenAPI client checks need Node.js and npm.";
            }
        }
        catch (Win32Exception e)
        {
            return $"npm is not installed ({e.Message}): the OpenAPI client checks need Node.js and npm.";
        }

        var lockFile = Path.Combine(Directory, ".npm-install.lock");
        using var installLock = await AcquireAsync(lockFile, TimeSpan.FromMinutes(5));
        var wanted = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(Directory, "package-lock.json"))));
        var stamp = Path.Combine(Directory, Stamp);
        if (File.Exists(stamp) && (await File.ReadAllTextAsync(stamp)).Trim() == wanted)
        {
            return null;
        }

        var install = await RunAsync(Npm, ["ci", "--no-audit", "--no-fund"], TimeSpan.FromMinutes(5));
        Assert.True(install.ExitCode == 0, $"npm ci in {Directory} failed:\n{install.Output}");
        await File.WriteAllTextAsync(stamp, wanted);
        return null;
    }

    private static async Task<FileStream> AcquireAsync(string path, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }
    }

    private static async Task<ProcessResult> RunAsync(string fileName, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = Directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // No telemetry, update checks or colour codes from the tools.
        start.Environment["REDOCLY_TELEMETRY"] = "off";
        start.Environment["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true";
        start.Environment["NO_COLOR"] = "1";
        start.Environment["npm_config_update_notifier"] = "false";
        start.Environment["npm_config_fund"] = "false";
        start.Environment["npm_config_audit"] = "false";

        var watch = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{fileName} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timer = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(timer.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', start.ArgumentList)} ran longer than {timeout}:\n{await stdout}\n{await stderr}");
        }

        return new ProcessResult(process.ExitCode, await stdout, await stderr, watch.Elapsed);
    }

    private static string FindToolsDirectory()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var tools = Path.Combine(directory.FullName, "tests", "tools", "openapi");
            if (File.Exists(Path.Combine(tools, "package.json")))
            {
                return tools;
            }
        }

        throw new DirectoryNotFoundException($"tests/tools/openapi not found above {AppContext.BaseDirectory}");
    }
}

internal sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError, TimeSpan Elapsed)
{
    public string Output
    {
        get
        {
            var text = new StringBuilder(StandardOutput);
            if (StandardError.Length > 0)
            {
                text.Append("\n--- stderr ---\n").Append(StandardError);
            }

            return text.ToString();
        }
    }
}
