using OrleansLicensing.LoadTests;

// Benchmarks of SPEC §6, measured in one run on this machine, medians of rounds:
// the device poll against plain Kestrel, and license operations with cross-project debits on SQLite.
//   dotnet run -c Release --project LoadTests -- [--seconds 6] [--rounds 7] [--concurrency 64] [--out docs/benchmarks.md] [--only poll|ledger|curve|cluster|license-ops|license-mix|redeem-burst|memory|audit|search|history|orders|import|import-small]
// Sizes (defaults are the documented runs; the CI smoke in tests/OrleansLicensing.ProcessTests runs each scenario small):
//   --node-configuration Release|Debug, --clients N, --companies N, --devices-per-company N, --warmup-seconds N, --min-seconds N (license-ops, license-mix),
//   --keys N (redeem-burst), --search-devices N, --history-events N, --queries N (search, history), --order-devices N, --import-devices N, --devices N --gc-wait-seconds N (memory), --devices N (audit).
// The poll benchmark re-launches this binary as its plain-Kestrel baseline: --baseline-server PORT BODYFILE ETAG.
if (args.Length == 4 && args[0] == PollBaseline.Mode)
{
    await PollBaseline.ServeAsync(args);
    return;
}

var options = BenchmarkOptions.Parse(args);
var sections = new List<string>();
// Issue 14, from outside: needs the node binary (dotnet build -c Release Silo); replaces its own section.
if (options.Only is null or "poll")
{
    sections.Add(await PollBenchmark.RunAsync(options, BenchmarkOptions.FindRoot()));
}

if (options.Only is null or "ledger")
{
    sections.Add(await LedgerBenchmark.RunAsync(options));
}

// Issue 15, from outside: needs the Release node binary (dotnet build -c Release Silo); run alone.
if (options.Only is "curve")
{
    sections.Add(await CurveBenchmark.RunAsync(options, BenchmarkOptions.FindRoot()));
}

// Issue 10: the local cluster of deploy/local-cluster.sh (Release binaries) against a single node.
if (options.Only is "cluster")
{
    sections.Add(await ClusterBenchmark.RunAsync(options, BenchmarkOptions.FindRoot()));
}

// Issue 14: license operations on the Release node from outside, optionally against a baseline checkout.
if (options.Only is "license-ops")
{
    sections.Add(await LicenseOpsBenchmark.RunAsync(options, BenchmarkOptions.FindRoot()));
}

// Issue 14: a mix of redeem, cross-project add, move, return and add from the free pool, checked against the tool's own account.
if (options.Only is "license-mix")
{
    sections.Add(await LicenseMixBenchmark.RunAsync(options, BenchmarkOptions.FindRoot()));
}

// Issue 14: a burst of concurrent redemptions of fresh keys, duplicates included (R-K2).
if (options.Only is "redeem-burst")
{
    sections.Add(await RedeemBurstBenchmark.RunAsync(options, BenchmarkOptions.FindRoot()));
}

// Issue 14: memory per activated device grain (the Release node, restarted on its seeded data).
if (options.Only is "memory")
{
    sections.Add(await MemoryBenchmark.RunAsync(options, BenchmarkOptions.FindRoot()));
}

// Issue 14: holder registration and the audit at N holders (--devices, default 100,000), the node as its own process.
if (options.Only is "audit")
{
    sections.Add(await AuditBenchmark.RunAsync(options, BenchmarkOptions.FindRoot(), options.AuditDevices));
}

// R-Q1 and R-Q2 from outside: each needs the Release node binary and runs alone; each replaces its own section.
if (options.Only is "search")
{
    sections.Add(await SearchBenchmark.RunAsync(options, BenchmarkOptions.FindRoot()));
}

if (options.Only is "history")
{
    sections.Add(await HistoryBenchmark.RunAsync(options, BenchmarkOptions.FindRoot()));
}

// R-D1 from outside: needs the Release node binary; runs alone and replaces its own section.
if (options.Only is "orders")
{
    sections.Add(await OrderBenchmark.RunAsync(options, BenchmarkOptions.FindRoot()));
}

// R-I1, R-I2 from outside: needs the Release node binary; runs alone and replaces its own section.
// `--only import-small` runs the same scenario with 2,000 devices (a quick check of the scenario).
if (options.Only is "import" or "import-small")
{
    sections.Add(await ImportBenchmark.RunAsync(options, BenchmarkOptions.FindRoot(), options.ImportDevices ?? (options.Only is "import" ? 100_000 : 2_000)));
}

var report = string.Join(Environment.NewLine, sections.Select(s => s.TrimEnd() + Environment.NewLine));
if (options.OutputPath is not null && options.Only is "curve" && File.Exists(options.OutputPath))
{
    // The curve is its own section of the file: replace it (or add it at the end), keep the rest.
    await File.WriteAllTextAsync(options.OutputPath, CurveBenchmark.ReplaceSection(await File.ReadAllTextAsync(options.OutputPath), report));
}
else if (options.OutputPath is not null && options.Only is "poll" or "search" or "history" or "orders" or "cluster" or "license-ops" or "license-mix" or "redeem-burst" or "memory" or "audit" or "import" && File.Exists(options.OutputPath))
{
    var heading = options.Only switch { "poll" => PollBenchmark.Heading, "search" => SearchBenchmark.Heading, "orders" => OrderBenchmark.Heading, "cluster" => ClusterBenchmark.Heading, "license-ops" => LicenseOpsBenchmark.Heading, "license-mix" => LicenseMixBenchmark.Heading, "redeem-burst" => RedeemBurstBenchmark.Heading, "memory" => MemoryBenchmark.Heading, "audit" => AuditBenchmark.Heading, "import" => ImportBenchmark.Heading, _ => HistoryBenchmark.Heading };
    await File.WriteAllTextAsync(options.OutputPath, QueryLatencies.ReplaceSection(await File.ReadAllTextAsync(options.OutputPath), heading, report));
}
else if (options.OutputPath is not null)
{
    await File.WriteAllTextAsync(options.OutputPath, "# Benchmarks" + Environment.NewLine + Environment.NewLine + report);
}

Console.WriteLine(report);
