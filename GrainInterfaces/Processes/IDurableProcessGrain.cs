namespace OrleansLicensing.Contracts;

/// <summary>
/// A long operation that cannot be one transaction (a company or project join, a legacy
/// import), run as a sequence of batches of one ledger transaction each. It survives silo
/// losses and restarts and reports how far it got. Each process type adds its own
/// <c>StartAsync(plan)</c>; the key names one run.
/// </summary>
public interface IDurableProcessGrain : IGrainWithStringKey
{
    /// <summary>Where the process stands; <see cref="ProcessState.NotStarted"/> for a key never started.</summary>
    Task<ProcessStatus> GetStatusAsync();
}
