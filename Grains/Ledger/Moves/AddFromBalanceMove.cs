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

    public AddFromBalanceMove(AddLicensesCommand command, LicenseConsistency consistency, DateOnly today)
    {
        consistency.CheckVersion(command.Version, today, command.Licenses.Keys);
        _command = command;
        _newLots = [.. command.Licenses.Select(entry =>
            new LicenseLot(entry.Key, entry.Value, command.Version, today, SsaEndDate: null, ExternalKey: null, LotSources.Balance) { LotId = Guid.NewGuid().ToString("N") })];
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
        var change = _command.DryRun
            ? await device.PreviewLotsAsync(_command.CompanyId, _newLots)
            : await device.AddLotsAsync(_command.CompanyId, _newLots);
        var home = _home = change.ProjectId
            ?? throw new LicensingException(ErrorCodes.DeviceNotInProject, "Add the device to a project before adding licenses from a balance.");

        ImmutableArray<string> sources = [home, .. named.Where(p => p != home)];
        if (!_command.DryRun && sources.Length > 1)
        {
            // Every source's write lock, in one order (by project id), before any debit: the
            // debits go home first and then in the order named, so two binds whose sources cross
            // (a device in A drawing from B, one in B drawing from A) would otherwise each hold
            // one project while waiting for the other until a lock timeout (issue 15; measured:
            // CrossedSourcesTests stalled every client). An empty debit takes the lock and
            // changes nothing; the device's lock came first (one device per bind).
            foreach (var projectId in sources.Order(StringComparer.Ordinal))
            {
                await context.Project(projectId).DebitUpToAsync(LicenseMath.Empty);
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

        return new AddLicensesResult(_command.Mac, change.Lots, debits.ToImmutable());
    }

    public override IReadOnlyDictionary<string, int> UnitsMoved(AddLicensesResult result) => _command.Licenses;

    public override IReadOnlyDictionary<string, int> UnitsDeclared => _command.Licenses;

    public override IEnumerable<HistoryNote> History(AddLicensesResult result) =>
        [new(_command.CompanyId, HistoryActions.LicensesAdded, _home ?? result.Debited.FirstOrDefault()?.ProjectId, _command.Mac, ChangeFeed.Details(
            ("licenses", ChangeFeed.Describe(_command.Licenses)),
            ("version", _command.Version),
            ("debited", string.Join("; ", result.Debited.Select(d => $"{d.ProjectId}: {ChangeFeed.Describe(d.Licenses)}")))))];

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
