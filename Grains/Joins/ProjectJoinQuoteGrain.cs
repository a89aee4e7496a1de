using Orleans.Concurrency;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Joins;

namespace OrleansLicensing.Grains.Grains;

[StatelessWorker]
public sealed class ProjectJoinQuoteGrain(Catalog catalog) : Grain, IProjectJoinQuoteGrain
{
    public Task<ProjectJoinPreview> PreviewAsync(string companyId, string sourceProjectId, string targetProjectId, DateOnly calculationDate) =>
        new ProjectJoinPlanner(GrainFactory, catalog).PreviewAsync(companyId, sourceProjectId, targetProjectId, calculationDate);
}
