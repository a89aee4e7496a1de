using System.Globalization;

namespace OrleansLicensing.LoadTests;

public sealed record BenchmarkOptions(int Seconds, int Rounds, int Concurrency, int Devices, string? OutputPath, string? Only, int? ImportDevices = null)
{
    public static BenchmarkOptions Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"Unexpected argument '{args[i]}'.");
            }

            values[args[i][2..]] = args[i + 1];
        }

        int Int(string name, int fallback) => values.TryGetValue(name, out var text) ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;
        return new BenchmarkOptions(
            Seconds: Int("seconds", 6),
            Rounds: Int("rounds", 7),
            Concurrency: Int("concurrency", 64),
            Devices: Int("devices", 1000),
            // A partial run (--only poll|ledger) prints its section and writes a file only when asked.
            // A relative --out is taken from the repository root (dotnet run starts in LoadTests/).
            OutputPath: values.GetValueOrDefault("out") is { } output ? Path.Combine(FindRoot(), output)
                : values.ContainsKey("only") ? null : Path.Combine(FindRoot(), "docs", "benchmarks.md"),
            Only: values.GetValueOrDefault("only"),
            // `--only import --import-devices N`: the import scenario with N devices (to find where time goes).
            ImportDevices: values.ContainsKey("import-devices") ? Int("import-devices", 0) : null);
    }

    public static string FindRoot()
    {
        var directory = new DirectoryInfo(Directory.GetCurrentDirectory());
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "OrleansLicensing.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? Directory.GetCurrentDirectory();
    }
}
