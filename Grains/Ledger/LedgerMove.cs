using System.Collections.Immutable;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Domain;

namespace OrleansLicensing.Grains.Ledger;

/// <summary>
/// One kind of unit move (R-C1), written as a declaration that <see cref="LedgerRunner"/> acts on:
/// the holders it touches, its body inside the transaction, and what it counts. From the
/// declaration alone the runner registers the holders with the audit before the move runs
/// (R-C2) and refreshes the poll answer of every device among them after it commits (R-C3), so a
/// new move cannot forget either. An instance holds the arguments of one request and may be
/// executed more than once (the runner retries aborted attempts); validation that needs no state
/// happens in the constructor, every check that needs state inside <see cref="ExecuteAsync"/>.
/// </summary>
public abstract class LedgerMove<TResult>
{
    /// <summary>The <c>kind</c> tag of the licensing metrics ("redeem", "add-from-balance", …); dashboards select on it.</summary>
    public abstract string Kind { get; }

    /// <summary>
    /// Every holder the move may change whose id is known before it runs. A project the move only
    /// finds inside the transaction (the device's project) need not be listed: projects register
    /// when they are created.
    /// </summary>
    public abstract IReadOnlyList<HolderRef> Holders { get; }

    /// <summary>False for a preview (a dry run): the body runs under the transaction's locks, then the transaction is aborted.</summary>
    public virtual bool Commits => true;

    /// <summary>The move, inside the transaction. A <see cref="LicensingException"/> aborts it with nothing applied.</summary>
    public abstract Task<TResult> ExecuteAsync(LedgerContext context);

    /// <summary>The units that changed holders, per license type (<c>licensing.units.moved</c>).</summary>
    public abstract IReadOnlyDictionary<string, int> UnitsMoved(TResult result);

    /// <summary>
    /// Whether <see cref="UnitsMoved"/> bounds what the move changes on every holder and on the
    /// mint ledger, per license type — so that a conservation audit it overlaps is off by at most
    /// that much. False for moves that mint or consume units besides moving them.
    /// </summary>
    public virtual bool UnitsMovedBoundTheChange => true;

    /// <summary>
    /// The units the move moves when its arguments alone fix them (before it runs), else null.
    /// The audit can then bound what the move can shift from the moment it starts, not only once
    /// its body ran — so a move of one type in flight never hides a difference of another.
    /// </summary>
    public virtual IReadOnlyDictionary<string, int>? UnitsDeclared => null;

    /// <summary>Counters beyond the units moved, once per committed (not replayed) move.</summary>
    public virtual void CountCommitted(LedgerMetrics metrics)
    {
    }

    /// <summary>
    /// True once after an attempt the move itself abandoned to try a different plan (it learned
    /// under a lock that it needs another lock mode, D118): the runner tries again at once and
    /// counts no abort, since no contention caused it.
    /// </summary>
    public virtual bool TakeReplanRequest() => false;

    /// <summary>
    /// The error the caller gets for a refusal. A move may add facts here that it should not read
    /// under the transaction's locks (which other projects could have covered a shortfall).
    /// </summary>
    public virtual Task<LicensingException> ExplainAsync(LicensingException refusal, LedgerContext context) => Task.FromResult(refusal);

    /// <summary>
    /// The history events of the committed move (R-Q2), without id, time and actor, which the
    /// runner adds. Also asked for a replayed move (an idempotent retry), from its first result
    /// alone: the runner records it again under the same event ids, and the log keeps one.
    /// </summary>
    public virtual IEnumerable<HistoryNote> History(TResult result) => [];

    protected static HolderRef DeviceHolder(string mac) => new(HolderKinds.Device, mac);

    protected static HolderRef ProjectHolder(string projectId) => new(HolderKinds.Project, projectId);

    protected static HolderRef KeyHolder(string code) => new(HolderKinds.Key, code);

    protected static ImmutableSortedDictionary<string, int> UnitsOf(IEnumerable<LicenseLot> lots) =>
        LicenseMath.ToMap(lots.Select(l => KeyValuePair.Create(l.Type, l.Units)));
}

/// <summary>A history event of a move before the runner stamps it (R-Q2).</summary>
public sealed record HistoryNote(string CompanyId, string Action, string? ProjectId, string? Mac, ImmutableSortedDictionary<string, string> Details);
