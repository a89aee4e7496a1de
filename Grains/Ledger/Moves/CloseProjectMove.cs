using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Domain;

namespace OrleansLicensing.Grains.Ledger;

/// <summary>
/// Closes an empty project for deletion (R-P3). No units move; it runs through the ledger so the
/// emptiness check and the closed mark are one transaction under the balance's lock, which every
/// redeem and credit into the project also takes — a racing redeem commits first (and the close
/// is refused) or finds the project closed (and is refused).
/// </summary>
public sealed class CloseProjectMove(string projectId) : LedgerMove<bool>
{
    public override string Kind => "project-close";

    public override IReadOnlyList<HolderRef> Holders { get; } = [ProjectHolder(projectId)];

    public override async Task<bool> ExecuteAsync(LedgerContext context)
    {
        await context.Project(projectId).CloseAsync();
        return true;
    }

    public override IReadOnlyDictionary<string, int> UnitsMoved(bool result) => LicenseMath.Empty;
}
