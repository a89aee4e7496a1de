using Orleans.Concurrency;

namespace OrleansLicensing.Contracts;

/// <summary>An import of legacy units into a project (R-I2, R-I3) as a durable process: balance first, then batches of devices, each one ledger move.</summary>
public interface ILegacyImportProcessGrain : IDurableProcessGrain
{
    Task<ProcessStatus> StartAsync(LegacyImportPlan plan);

    /// <summary>
    /// The plan, progress, counts and a page of per-device results (<paramref name="limit"/> from
    /// <paramref name="offset"/>); NotFound unless the import is <paramref name="companyId"/>'s.
    /// Interleaves with a running batch (a batch of many devices may take longer than a call may
    /// wait) and reads what the batches before it saved.
    /// </summary>
    [AlwaysInterleave]
    Task<LegacyImportOutcome> GetOutcomeAsync(string companyId, int offset, int limit);
}
