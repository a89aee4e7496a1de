namespace OrleansLicensing.Contracts;

/// <summary>
/// Which ledger worker runs a company's moves (D126). The ledger is a stateless worker that runs
/// one move at a time per activation, with up to one activation per core on each silo for each
/// key. Keyed by the company, moves of one company keep that bound (two contend for its balances
/// at most, per silo), while different companies run side by side instead of queueing behind the
/// same workers; a client also spreads the keys over the silos it enters through.
/// </summary>
public static class LedgerLanes
{
    /// <summary>Number of worker keys companies are spread over.</summary>
    public const int Count = 64;

    /// <summary>The key of moves that belong to no company (the vendor minting a key).</summary>
    public const long Vendor = 0;

    /// <summary>The ledger worker for moves of <paramref name="companyId"/>'s units.</summary>
    public static ILedgerGrain LedgerFor(this IGrainFactory grains, string companyId) =>
        grains.GetGrain<ILedgerGrain>(Lane(companyId));

    /// <summary>The lane of a company: the same in every process (FNV-1a of its id).</summary>
    public static long Lane(string companyId)
    {
        var hash = 2166136261u;
        foreach (var c in companyId)
        {
            hash = unchecked((hash ^ c) * 16777619u);
        }

        return hash % Count;
    }
}
