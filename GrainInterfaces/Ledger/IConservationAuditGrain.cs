namespace OrleansLicensing.Contracts;

/// <summary>Computes the conservation audit (R-C2) by walking the holder registry.</summary>
public interface IConservationAuditGrain : IGrainWithIntegerKey
{
    Task<AuditReport> RunAsync();
}
