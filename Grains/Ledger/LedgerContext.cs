using OrleansLicensing.Contracts;

namespace OrleansLicensing.Grains.Ledger;

/// <summary>What a <see cref="LedgerMove{TResult}"/> works with inside its transaction: the holders, by id.</summary>
public sealed class LedgerContext(IGrainFactory grains)
{
    public IGrainFactory Grains { get; } = grains;

    public IMintLedgerGrain MintLedger => Grains.GetGrain<IMintLedgerGrain>(IMintLedgerGrain.Key);

    public IDeviceGrain Device(string mac) => Grains.GetGrain<IDeviceGrain>(mac);

    public IProjectGrain Project(string projectId) => Grains.GetGrain<IProjectGrain>(projectId);

    public IActivationKeyGrain Key(string code) => Grains.GetGrain<IActivationKeyGrain>(code);

    /// <summary>
    /// Forbidden unless the project is one of the company's own (R-P2, R-P6). Only a company join
    /// (R-U3) moves a project to another company, and it locks the joined company first: from then
    /// on this check refuses every move that names the joined company (JoinInProgress), so the
    /// read cannot go stale for a move it lets through. A project being joined into another (R-P4)
    /// is refused the same way.
    /// </summary>
    public async Task EnsureOwnProjectAsync(string companyId, string projectId, string refusal)
    {
        try
        {
            await Grains.GetGrain<ICompanyGrain>(companyId).EnsureOwnsProjectAsync(projectId);
        }
        catch (LicensingException e) when (e.Code == ErrorCodes.NotFound)
        {
            throw LicensingException.Forbidden($"{refusal}; '{projectId}' is not one.");
        }
    }
}
