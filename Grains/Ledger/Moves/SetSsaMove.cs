using System.Collections.Immutable;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.History;
using OrleansLicensing.Grains.Domain;

namespace OrleansLicensing.Grains.Ledger;

/// <summary>
/// Sets or extends a project's SSA (R-S1..R-S4) as one transaction: the lots of the project's
/// devices are quoted under their devices' write locks (R-S2, R-S3) and, unless it is a preview,
/// every lot that carries SSC and is not excluded gets the new end date, the project gets it too,
/// and the SSC are paid — debited from the project's <c>SSC</c> balance, or minted on credit with
/// source <c>Credit</c> and recorded as the company's debt; either way consumed (R-C2). All or
/// nothing: a short balance aborts the dating of the lots as well.
/// </summary>
public sealed class SetSsaMove : LedgerMove<SsaQuote>
{
    private readonly SsaCommand _command;
    private readonly DateOnly _calculationDate;
    private readonly DateOnly _today;
    private readonly ImmutableArray<string> _devices;
    private readonly SscCalculator _calculator;
    private readonly Catalog _catalog;
    private readonly ImmutableHashSet<string> _excluded;

    public SetSsaMove(SsaCommand command, ImmutableArray<string> devices, Catalog catalog, DateOnly today)
    {
        _calculationDate = command.CalculationDate ?? today;
        if (command.EndDate < today || command.EndDate < _calculationDate)
        {
            throw new LicensingException(ErrorCodes.SsaEndInPast, $"The SSA end date {command.EndDate:yyyy-MM-dd} is in the past (today is {today:yyyy-MM-dd}, the calculation date {_calculationDate:yyyy-MM-dd}).");
        }

        if (!command.DryRun && _calculationDate != today)
        {
            throw new LicensingException(ErrorCodes.QuoteNotConfirmable, $"Only a quote for today ({today:yyyy-MM-dd}) can be confirmed; one for {_calculationDate:yyyy-MM-dd} is a preview (dryRun).");
        }

        (_command, _devices, _catalog, _today) = (command, devices, catalog, today);
        _calculator = new SscCalculator(catalog);
        _excluded = command.ExcludedLots.IsDefault ? [] : command.ExcludedLots.ToImmutableHashSet(StringComparer.Ordinal);
        Holders = [ProjectHolder(command.ProjectId), .. devices.Select(DeviceHolder)];
    }

    public override string Kind => "ssa";

    public override IReadOnlyList<HolderRef> Holders { get; }

    public override bool Commits => !_command.DryRun;

    public override async Task<SsaQuote> ExecuteAsync(LedgerContext context)
    {
        await context.EnsureOwnProjectAsync(_command.CompanyId, _command.ProjectId, "Only the company's own projects can be put under SSA");

        // One call per device: it returns the lots as they were and, unless previewing, dates
        // them in the same call (a device is called at most once per transaction).
        var quotes = ImmutableArray.CreateBuilder<SsaLotQuote>();
        foreach (var mac in _devices)
        {
            var device = context.Device(mac);
            var lots = _command.DryRun
                ? await device.GetLotsAsync()
                : await device.ExtendSsaAsync(_command.CompanyId, _command.ProjectId, _command.EndDate, [.. _excluded]);
            foreach (var lot in lots.Where(lot => SscCalculator.CarriesSsc(_catalog, lot.Type)))
            {
                quotes.Add(SsaQuoting.QuoteLot(_calculator, mac, lot, _calculationDate, _command.EndDate, _excluded));
            }
        }

        SsaQuoting.EnsureExcludedAreQuoted(_excluded, quotes, "the project's devices");

        var total = quotes.Where(q => !q.Excluded).Sum(q => q.Price.Ssc);
        if (!_command.DryRun)
        {
            await PayAsync(context, total);
            await context.Project(_command.ProjectId).SetSsaEndAsync(_command.EndDate);
        }

        return new SsaQuote(
            _command.ProjectId, _calculationDate, _command.EndDate, quotes.ToImmutable(), total,
            Confirmable: _calculationDate == _today, Confirmed: !_command.DryRun, OnCredit: !_command.DryRun && _command.BuyOnCredit && total > 0);
    }

    /// <summary>Pays the SSC (R-S4): from the balance, or minted on credit; consumed either way (R-C2).</summary>
    private Task PayAsync(LedgerContext context, long total) =>
        SscPayment.PaySscAsync(
            context,
            _command.ProjectId,
            total,
            _command.BuyOnCredit ? new SscPayment.CreditOrder(_command.CompanyId, _command.ProjectId, _command.OrderNumber!, _command.UserEmail, _today) : null,
            CreditPurposes.Ssa);

    public override IEnumerable<HistoryNote> History(SsaQuote result) =>
        result.Confirmed
            ? [new(_command.CompanyId, HistoryActions.SsaSet, result.ProjectId, null, ChangeFeed.Details(
                ("endDate", result.EndDate.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)),
                ("ssc", result.TotalSsc.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                ("lots", result.Lots.Count(l => !l.Excluded).ToString(System.Globalization.CultureInfo.InvariantCulture)),
                ("onCredit", result.OnCredit ? "true" : null),
                ("orderNumber", result.OnCredit ? _command.OrderNumber : null)))]
            : [];

    /// <summary>The SSC paid, for the metrics.</summary>
    public override IReadOnlyDictionary<string, int> UnitsMoved(SsaQuote result) => SsaQuoting.UnitsPaid(result.TotalSsc);

    /// <summary>It consumes SSC (and on credit mints them): no bound by the units moved.</summary>
    public override bool UnitsMovedBoundTheChange => false;
}
