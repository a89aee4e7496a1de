namespace OrleansLicensing.Contracts;

/// <summary>An import of legacy units into a project (R-I2, R-I3) as a durable process: balance first, then batches of devices, each one ledger move.</summary>
public interface ILegacyImportProcessGrain : IDurableProcessGrain
{
    Task<ProcessStatus> StartAsync(LegacyImportPlan plan);

    /// <summary>The plan, progress and per-device results; NotFound unless the import is <paramref name="companyId"/>'s.</summary>
    Task<LegacyImportOutcome> GetOutcomeAsync(string companyId);
}
