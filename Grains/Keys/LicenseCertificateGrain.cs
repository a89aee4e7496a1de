using Orleans.Concurrency;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Domain;

namespace OrleansLicensing.Grains.Grains;

/// <summary>
/// Issues license certificates (R-K4): reads the key and its redeeming project, and signs the
/// certificate document with the cluster's license signing key, which only silos hold.
/// </summary>
[StatelessWorker]
public sealed class LicenseCertificateGrain(LicenseSigningKey signingKey, TimeProvider time) : Grain, ILicenseCertificateGrain
{
    public async Task<LicenseCertificate> IssueAsync(string companyId, string keyCode)
    {
        var key = await GrainFactory.GetGrain<IActivationKeyGrain>(keyCode).GetAsync();
        if (key.AssignedCompanyId != companyId && key.OwnerCompanyId != companyId)
        {
            // Keys of other companies are as unknown as keys that do not exist.
            throw LicensingException.NotFound("The activation key");
        }

        string? projectName = null;
        if (key.AssignedProjectId is { } projectId)
        {
            projectName = (await GrainFactory.GetGrain<IProjectGrain>(projectId).GetAsync()).Name;
        }

        var content = new LicenseCertificateContent(
            key.Key, key.Licenses, key.OrderNumber, key.OrderReference,
            key.AssignedCompanyId, key.AssignedProjectId, projectName, key.AssignedAt, time.GetUtcNow());
        var document = LicenseCertificateDocument.Create(content, signingKey.Key, signingKey.KeyId);
        return new LicenseCertificate(
            content.Key, content.Licenses, content.OrderNumber, content.OrderReference,
            content.RedeemingCompanyId, content.RedeemingProjectId, content.RedeemingProjectName, content.RedeemedAt, content.IssuedAt, document);
    }
}
