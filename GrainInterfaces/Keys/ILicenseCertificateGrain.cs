namespace OrleansLicensing.Contracts;

/// <summary>Issues signed license certificates (R-K4); stateless.</summary>
public interface ILicenseCertificateGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// The certificate of a key redeemed into, or created from, a project of
    /// <paramref name="companyId"/>; NotFound for any other key (outsiders learn nothing).
    /// </summary>
    Task<LicenseCertificate> IssueAsync(string companyId, string keyCode);
}
