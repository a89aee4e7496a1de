using System.Collections.Immutable;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.History;
using OrleansLicensing.Grains.Domain;

namespace OrleansLicensing.Grains.Ledger;

/// <summary>
/// Binds new lots to a device, drawn from project balances (R-L2, R-P6): the device's project
/// first, then the named ones in order; all or nothing. The device is written first, so its
/// project — the first source — is the one it is in under the transaction's lock.
/// </summary>
public sealed class AddFromBalanceMove : LedgerMove<AddLicensesResult>
{
    private readonly AddLicensesCommand _command;
    private readonly ImmutableArray<LicenseLot> _newLots;

    // The sources and shortfall of the attempt that came up short, for ExplainAsync.
    private ImmutableArray<string> _sources = [];
    private ImmutableSortedDictionary<string, int>? _shortfall;
    private string? _home;

    // Set when the device's project turned out to hold some of the wanted units: later attempts write-lock it from the start.
    private bool _homeNeedsWrite;
    private bool _replanRequested;
    private readonly DateOnly _today;
    private readonly SscCalculator _calculator;

    public AddFromBalanceMove(AddLicensesCommand command, LicenseConsistency consistency, Catalog catalog, DateOnly today)
    {
        consistency.CheckVersion(command.Version, today, command.Licenses.Keys);
        if (command.SsaEndDate is { } end && end < today)
        {
            throw new LicensingException(ErrorCodes.SsaEndInPast, $"The SSA end date {end:yyyy-MM-dd} is in the past (today is {today:yyyy-MM-dd}).");
        }

        if (command.BuyOnCredit && !command.FromProjects.IsDefaultOrEmpty)
        {
            throw LicensingException.Validation("Licenses bought on credit are not drawn from balances; 'fromProjects' does not go with 'buyOnCredit'.");
        }

        _command = command;
        _today = today;
        var excluded = command.SsaExcludedTypes.IsDefault ? [] : command.SsaExcludedTypes.ToHashSet(StringComparer.Ordinal);
        _newLots = [.. command.Licenses.Select(entry =>
            new LicenseLot(
                entry.Key,
                entry.Value,
                command.Version,
                today,
                SsaEndDate: command.SsaEndDate is { } ssaEnd && SscCalculator.CarriesSsc(catalog, entry.Key) && !excluded.Contains(entry.Key) ? ssaEnd : null,
                ExternalKey: null,
                command.BuyOnCredit ? LotSources.Credit : LotSources.Balance) { LotId = Guid.NewGuid().ToString("N") })];
        _calculator = new SscCalculator(catalog);
        Holders = [DeviceHolder(command.Mac), .. command.FromProjects.Distinct().Select(ProjectHolder)];
    }

    public override string Kind => "add-from-balance";

    public override IReadOnlyList<HolderRef> Holders { get; }

    public override bool Commits => !_command.DryRun;

    public override async Task<AddLicensesResult> ExecuteAsync(LedgerContext context)
    {
        var named = _command.FromProjects.Distinct().ToArray();
        foreach (var projectId in named)
        {
            await context.EnsureOwnProjectAsync(_command.CompanyId, projectId, "Licenses can be drawn only from the company's own projects");
        }

        // Checks membership and the consistency rules under the device's lock, and tells its project.
        var device = context.Device(_command.Mac);
        var scope = new ConsistencyScope(_command.Version, _command.CountCurrent);
        var change = _command.DryRun
            ? await device.PreviewLotsAsync(_command.CompanyId, _newLots, scope)
            : await device.AddLotsAsync(_command.CompanyId, _newLots, scope: scope);
        var home = _home = change.ProjectId
            ?? throw new LicensingException(ErrorCodes.DeviceNotInProject, "Add the device to a project before adding licenses from a balance.");

        var credit = _command.BuyOnCredit
            ? new SscPayment.CreditOrder(_command.CompanyId, home, _command.OrderNumber!, _command.UserEmail!, _today)
            : null;
        ImmutableArray<ProjectDebit> debited;
        if (credit is not null)
        {
            // R-S4: bought, not drawn — minted with source Credit and recorded as the company's debt.
            if (!_command.DryRun)
            {
                await SscPayment.BuyOnCreditAsync(context, _command.Licenses, credit, CreditPurposes.Licenses);
            }

            debited = [];
        }
        else
        {
            debited = await DebitAsync(context, home, named);
        }

        var ssa = await PaySsaAsync(context, home, credit);
        return new AddLicensesResult(_command.Mac, change.Lots, debited) { Ssa = ssa, OnCredit = credit is not null };
    }

    /// <summary>
    /// The SSA option (R-L2, R-S1..R-S4): quotes the new lots that carry it from today to their
    /// SSA end and, unless previewing, pays the SSC from the device's project or on credit, in this transaction.
    /// </summary>
    private async Task<AddedSsa?> PaySsaAsync(LedgerContext context, string home, SscPayment.CreditOrder? credit)
    {
        if (_command.SsaEndDate is not { } end)
        {
            return null;
        }

        var quotes = _newLots.Where(lot => lot.SsaEndDate is not null)
            .Select(lot => _calculator.QuoteLot(new SscLot(lot.Type, lot.Units, lot.Version, lot.BindDate, SsaEndDate: null), _today, end))
            .ToImmutableArray();
        var total = quotes.Sum(q => q.Ssc);
        if (!_command.DryRun)
        {
            await SscPayment.PaySscAsync(context, home, total, credit, CreditPurposes.Ssa);
        }

        return new AddedSsa(end, quotes, total, credit is not null);
    }

    /// <summary>Draws the licenses from the device's project, then the named ones in order (R-P6); all or nothing.</summary>
    private async Task<ImmutableArray<ProjectDebit>> DebitAsync(LedgerContext context, string home, string[] named)
    {
        ImmutableArray<string> sources = [home, .. named.Where(p => p != home)];
        ImmutableSortedDictionary<string, int>? homeSeen = null;
        if (!_command.DryRun && sources.Length > 1)
        {
            // Every source's lock, in one order (by project id), before any debit: the debits go
            // home first and then in the order named, so two binds whose sources cross (a device
            // in A drawing from B, one in B drawing from A) would otherwise each hold one project
            // while waiting for the other until a lock timeout (issue 15; measured:
            // CrossedSourcesTests stalled every client). An empty debit takes a write lock and
            // changes nothing; the device's lock came first (one device per bind).
            // The device's own project is usually short when other projects are named: it is
            // only read (D118). Should it hold some of what is wanted after all, this attempt
            // aborts and the next one takes its write lock in the same order (upgrading a read
            // lock out of order could deadlock against another bind reading it too).
            foreach (var projectId in sources.Order(StringComparer.Ordinal))
            {
                if (projectId == home && !_homeNeedsWrite)
                {
                    homeSeen = await context.Project(projectId).ReadBalanceForDebitAsync();
                }
                else
                {
                    await context.Project(projectId).DebitUpToAsync(LicenseMath.Empty);
                }
            }
        }

        var remaining = _command.Licenses;
        var debits = ImmutableArray.CreateBuilder<ProjectDebit>();
        foreach (var projectId in sources)
        {
            if (remaining.IsEmpty)
            {
                break;
            }

            if (projectId == home && homeSeen is { } seen)
            {
                if (LicenseMath.Cover(seen, remaining).IsEmpty)
                {
                    continue;
                }

                _homeNeedsWrite = true;
                _replanRequested = true;
                throw new LicensingException(ErrorCodes.TransientConflict, "The device's project holds some of the licenses; drawing them needs its write lock.");
            }

            var project = context.Project(projectId);
            var taken = _command.DryRun
                ? LicenseMath.Cover(await project.GetBalanceAsync(), remaining)
                : await project.DebitUpToAsync(remaining);
            if (!taken.IsEmpty)
            {
                debits.Add(new ProjectDebit(projectId, taken));
                remaining = LicenseMath.Subtract(remaining, taken);
            }
        }

        if (!remaining.IsEmpty)
        {
            (_sources, _shortfall) = (sources, remaining);
            throw new LicensingException(ErrorCodes.InsufficientBalance, $"The balance is short of {Describe(remaining)}.");
        }

        return debits.ToImmutable();
    }

    public override bool TakeReplanRequest()
    {
        var requested = _replanRequested;
        _replanRequested = false;
        return requested;
    }

    public override IReadOnlyDictionary<string, int> UnitsMoved(AddLicensesResult result) => _command.Licenses;

    /// <summary>Bought on credit (minted) or paying SSA (SSC consumed): more changes than the units moved.</summary>
    public override bool UnitsMovedBoundTheChange => !_command.BuyOnCredit && _command.SsaEndDate is null;

    public override IReadOnlyDictionary<string, int>? UnitsDeclared => UnitsMovedBoundTheChange ? _command.Licenses : null;

    public override IEnumerable<HistoryNote> History(AddLicensesResult result) =>
        [new(_command.CompanyId, HistoryActions.LicensesAdded, _home ?? result.Debited.FirstOrDefault()?.ProjectId, _command.Mac, ChangeFeed.Details(
            ("licenses", ChangeFeed.Describe(_command.Licenses)),
            ("version", _command.Version),
            ("debited", string.Join("; ", result.Debited.Select(d => $"{d.ProjectId}: {ChangeFeed.Describe(d.Licenses)}"))),
            ("onCredit", result.OnCredit ? _command.OrderNumber : null),
            ("ssaEndDate", result.Ssa?.EndDate.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)),
            ("ssc", result.Ssa?.TotalSsc.ToString(System.Globalization.CultureInfo.InvariantCulture))))];

    /// <summary>R-P6: names the company's other projects that hold some of what is missing, read after the abort.</summary>
    public override async Task<LicensingException> ExplainAsync(LicensingException refusal, LedgerContext context)
    {
        if (refusal.Code != ErrorCodes.InsufficientBalance || _shortfall is not { } shortfall)
        {
            return refusal;
        }

        var candidates = new List<string>();
        foreach (var project in await context.Grains.GetGrain<ICompanyGrain>(_command.CompanyId).ListProjectsAsync())
        {
            if (!_sources.Contains(project.ProjectId) && !LicenseMath.Cover(await context.Project(project.ProjectId).GetBalanceAsync(), shortfall).IsEmpty)
            {
                candidates.Add(project.ProjectId);
            }
        }

        var missing = shortfall.Select(entry => $"{entry.Key}={entry.Value}").ToArray();
        return new LicensingException(
            ErrorCodes.InsufficientBalance,
            $"The balance is short of {Describe(shortfall)}.",
            ImmutableDictionary<string, string[]>.Empty.Add("shortfall", missing).Add("projects", [.. candidates]));
    }

    private static string Describe(ImmutableSortedDictionary<string, int> units) => string.Join(", ", units.Select(entry => $"{entry.Key}={entry.Value}"));
}
