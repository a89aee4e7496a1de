namespace OrleansLicensing.Contracts;

/// <summary>
/// Joins company B into A (R-U3) as a durable process of batches: B is locked and its projects
/// change owner, then B's devices and keys are re-pointed to A batch by batch, then B's members
/// join A and B is deleted. Keyed by the process id.
/// </summary>
public interface ICompanyJoinProcessGrain : IDurableProcessGrain
{
    /// <summary>Starts the join; the same plan again returns its status, another plan is a Conflict.</summary>
    Task<ProcessStatus> StartAsync(CompanyJoinPlan plan);

    /// <summary>The status for an admin of the surviving company; NotFound for any other company or an unknown process.</summary>
    Task<ProcessStatus> GetStatusForAsync(string companyId);
}
