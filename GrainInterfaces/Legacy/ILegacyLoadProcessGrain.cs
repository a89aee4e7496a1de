namespace OrleansLicensing.Contracts;

/// <summary>The durable load of an export (R-I1) into account, group and device grains; nothing is minted.</summary>
public interface ILegacyLoadProcessGrain : IDurableProcessGrain
{
    Task<ProcessStatus> StartAsync(LegacyLoadPlan plan);
}
