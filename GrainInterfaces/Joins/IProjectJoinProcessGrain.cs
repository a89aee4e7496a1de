namespace OrleansLicensing.Contracts;

/// <summary>
/// Joins project A into project B of the same company (R-P4) as a durable process of batches:
/// A is locked and its balance, free pool and key records move to B (paying the SSC of the SSA
/// extension from B's <c>SSC</c> balance) in one transaction, then A's devices and keys are
/// re-pointed to B batch by batch, then A is deleted. Keyed by the process id.
/// </summary>
public interface IProjectJoinProcessGrain : IDurableProcessGrain
{
    /// <summary>
    /// Starts the join after checking what can be checked before anything moves:
    /// <see cref="ErrorCodes.ProjectHasExternalRights"/>, <see cref="ErrorCodes.InsufficientSsc"/>.
    /// The same plan again returns its status, another plan is a Conflict.
    /// </summary>
    Task<ProcessStatus> StartAsync(ProjectJoinPlan plan);

    /// <summary>The status for the company that owns the projects; NotFound for any other company or an unknown process.</summary>
    Task<ProcessStatus> GetStatusForAsync(string companyId);
}
