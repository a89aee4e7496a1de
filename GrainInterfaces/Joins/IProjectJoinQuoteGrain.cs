namespace OrleansLicensing.Contracts;

/// <summary>The preview of a project join (R-P4): what would move and the SSC it costs. Stateless: any silo answers.</summary>
public interface IProjectJoinQuoteGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// What joining <paramref name="sourceProjectId"/> into <paramref name="targetProjectId"/> would move, with
    /// the SSA quote as of <paramref name="calculationDate"/>; <see cref="ErrorCodes.ProjectHasExternalRights"/>
    /// when the source grants external rights.
    /// </summary>
    Task<ProjectJoinPreview> PreviewAsync(string companyId, string sourceProjectId, string targetProjectId, DateOnly calculationDate);
}
