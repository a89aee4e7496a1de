using OrleansLicensing.LoadTests;

// Device-poll benchmark (SPEC §6): the licensing hot path against plain Kestrel returning a
// constant body of the same size, measured in one run on this machine, medians of rounds.
//   dotnet run -c Release --project LoadTests -- [--seconds 6] [--rounds 7] [--concurrency 64] [--out docs/benchmarks.md]
var options = BenchmarkOptions.Parse(args);
var report = await PollBenchmark.RunAsync(options);
await File.WriteAllTextAsync(options.OutputPath, report);
Console.WriteLine(report);
