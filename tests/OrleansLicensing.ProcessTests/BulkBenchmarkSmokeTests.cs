namespace OrleansLicensing.ProcessTests;

/// <summary>
/// CI smoke of the bulk scenarios: registering and adding an order (R-D1), the legacy import
/// (R-I1, R-I2) and memory per device (issue 14), each with a few hundred devices. The scenarios
/// check their results themselves (counts, balances, the audit) and stop with an error on a wrong
/// one; here they must end with exit code 0 and their section. No timing or size is asserted.
/// </summary>
public sealed class BulkBenchmarkSmokeTests
{
    [Fact]
    public async Task Orders_scenario_registers_and_adds_a_whole_order()
    {
        var run = await LoadTestsRun.RunAsync("orders", "--order-devices", "200");
        LoadTestsRun.AssertClean(run, "## Registering and adding an order");
    }

    [Fact]
    public async Task Import_small_scenario_loads_claims_and_imports_every_device()
    {
        var run = await LoadTestsRun.RunAsync("import-small", "--import-devices", "200");
        LoadTestsRun.AssertClean(run, "## Legacy import");
    }

    [Fact]
    public async Task Memory_scenario_activates_every_device_after_a_restart()
    {
        var run = await LoadTestsRun.RunAsync("memory", "--devices", "20", "--gc-wait-seconds", "2");
        LoadTestsRun.AssertClean(run, "## Memory per activated device");
    }
}
