using System.Collections.Immutable;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Domain;

namespace OrleansLicensing.Grains.Ledger;

/// <summary>
/// The first transaction of a project join (R-P4): everything the source project holds — balance,
/// free pool, key records — leaves it and arrives in the target, and the target pays the SSC of
/// the SSA extension from its balance (consumed, R-C2). The source is left marked as joining,
/// so nothing lands in it afterwards.
/// </summary>
public sealed class JoinProjectFundsMove : LedgerMove<ProjectHandOver>
{
    private readonly string _sourceProjectId;
    private readonly string _targetProjectId;
    private readonly ImmutableSortedDictionary<string, int> _ssc;

    public JoinProjectFundsMove(string sourceProjectId, string targetProjectId, ImmutableSortedDictionary<string, int> ssc)
    {
        if (sourceProjectId == targetProjectId)
        {
            throw LicensingException.Validation("A project cannot be joined into itself.");
        }

        (_sourceProjectId, _targetProjectId, _ssc) = (sourceProjectId, targetProjectId, ssc);
        Holders = [ProjectHolder(sourceProjectId), ProjectHolder(targetProjectId)];
    }

    public override string Kind => "project-join";

    public override IReadOnlyList<HolderRef> Holders { get; }

    public override async Task<ProjectHandOver> ExecuteAsync(LedgerContext context)
    {
        var handOver = await context.Project(_sourceProjectId).HandOverAsync(_targetProjectId);
        await context.Project(_targetProjectId).TakeOverAsync(handOver, _ssc);
        if (!_ssc.IsEmpty)
        {
            await context.MintLedger.RecordConsumedAsync(_ssc);
        }

        return handOver;
    }

    public override IReadOnlyDictionary<string, int> UnitsMoved(ProjectHandOver result) =>
        LicenseMath.Add(result.Balance, UnitsOf(result.FreeLicenses));

    /// <summary>It consumes the SSC it pays: no bound by the units moved.</summary>
    public override bool UnitsMovedBoundTheChange => _ssc.IsEmpty;
}
