using System.Collections.Immutable;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Domain;

namespace OrleansLicensing.Grains.Ledger;

/// <summary>
/// A batch of a join (R-U3, R-P4): activation keys redeemed into or created from the joined
/// company or project now name the surviving one (certificates, own-key changes). No unit moves.
/// </summary>
public sealed class RepointKeysMove : LedgerMove<int>
{
    private readonly Repoint _repoint;
    private readonly ImmutableArray<string> _codes;

    public RepointKeysMove(Repoint repoint, ImmutableArray<string> codes)
    {
        (_repoint, _codes) = (repoint, codes);
        Holders = [.. codes.Select(KeyHolder)];
    }

    public override string Kind => "join-keys";

    public override IReadOnlyList<HolderRef> Holders { get; }

    public override async Task<int> ExecuteAsync(LedgerContext context)
    {
        var changed = await Task.WhenAll(_codes.Select(code => context.Key(code).RepointAsync(_repoint)));
        return changed.Count(c => c);
    }

    public override IReadOnlyDictionary<string, int> UnitsMoved(int result) => LicenseMath.Empty;
}
