using System.Collections.Immutable;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Domain;
using OrleansLicensing.Grains.History;

namespace OrleansLicensing.Grains.Ledger;

/// <summary>
/// Moves devices into another project of their company (R-D6) as one transaction. Into a project
/// under SSA, each device's lots under SSA are quoted up to the target's end date with the SSA
/// calculator (R-S2, R-S3) under the device's write lock, and unless previewing they get that date
/// and the SSC are paid from the target's balance or on credit (<see cref="SscPayment"/>, R-S4),
/// all or nothing: a short SSC balance leaves every device where it was.
/// </summary>
public sealed class MoveDevicesMove : LedgerMove<MoveDevicesResult>
{
    private readonly MoveDevicesCommand _command;
    private readonly Catalog _catalog;
    private readonly SscCalculator _calculator;
    private readonly DateOnly _today;
    private readonly DateOnly _calculationDate;
    private readonly ImmutableHashSet<string> _excluded;

    public MoveDevicesMove(MoveDevicesCommand command, Catalog catalog, DateOnly today)
    {
        _calculationDate = command.CalculationDate ?? today;
        if (!command.DryRun && _calculationDate != today)
        {
            throw new LicensingException(ErrorCodes.QuoteNotConfirmable, $"Only a quote for today ({today:yyyy-MM-dd}) can be confirmed; one for {_calculationDate:yyyy-MM-dd} is a preview (dryRun).");
        }

        (_command, _catalog, _today) = (command, catalog, today);
        _calculator = new SscCalculator(catalog);
        _excluded = command.ExcludedLots.IsDefault ? [] : command.ExcludedLots.ToImmutableHashSet(StringComparer.Ordinal);
        Holders = [ProjectHolder(command.TargetProjectId), .. command.Macs.Select(DeviceHolder)];
    }

    public override string Kind => "move-devices";

    public override IReadOnlyList<HolderRef> Holders { get; }

    public override bool Commits => !_command.DryRun;

    public override async Task<MoveDevicesResult> ExecuteAsync(LedgerContext context)
    {
        await context.EnsureOwnProjectAsync(_command.CompanyId, _command.TargetProjectId, "Devices move only into the company's own projects");
        var end = _command.TargetSsaEndDate;
        var devices = ImmutableArray.CreateBuilder<MovedDevice>(_command.Macs.Length);
        var quotes = ImmutableArray.CreateBuilder<SsaLotQuote>();
        foreach (var mac in _command.Macs)
        {
            // One call per device and transaction (see DeviceGrain): it reads and, unless previewing, moves.
            var before = await context.Device(mac).MoveIntoProjectAsync(_command.CompanyId, _command.TargetProjectId, end, [.. _excluded], _command.DryRun);
            var moves = before.ProjectId != _command.TargetProjectId;
            devices.Add(new MovedDevice(mac, before.ProjectId, moves));
            if (!moves || end is not { } endDate)
            {
                continue;
            }

            foreach (var lot in before.Lots.Where(lot => lot.SsaEndDate < endDate && SscCalculator.CarriesSsc(_catalog, lot.Type)))
            {
                quotes.Add(SsaQuoting.QuoteLot(_calculator, mac, lot, _calculationDate, endDate, _excluded));
            }
        }

        SsaQuoting.EnsureExcludedAreQuoted(_excluded, quotes, "the moved devices");

        SsaQuote? ssa = null;
        if (end is { } target)
        {
            var total = quotes.Where(q => !q.Excluded).Sum(q => q.Price.Ssc);
            if (!_command.DryRun)
            {
                await SscPayment.PaySscAsync(
                    context,
                    _command.TargetProjectId,
                    total,
                    _command.BuyOnCredit ? new SscPayment.CreditOrder(_command.CompanyId, _command.TargetProjectId, _command.OrderNumber!, _command.UserEmail, _today) : null,
                    CreditPurposes.Ssa);
            }

            ssa = new SsaQuote(
                _command.TargetProjectId, _calculationDate, target, quotes.ToImmutable(), total,
                Confirmable: _calculationDate == _today, Confirmed: !_command.DryRun, OnCredit: !_command.DryRun && _command.BuyOnCredit && total > 0);
        }

        return new MoveDevicesResult(_command.TargetProjectId, devices.ToImmutable(), ssa, !_command.DryRun);
    }

    /// <summary>Each moved device once in the project it left and once in the target (as a single move records it), with the SSC its SSA lots paid.</summary>
    public override IEnumerable<HistoryNote> History(MoveDevicesResult result)
    {
        if (!result.Confirmed)
        {
            yield break;
        }

        var sscByDevice = result.Ssa?.Lots.Where(l => !l.Excluded).GroupBy(l => l.Mac).ToDictionary(g => g.Key, g => g.Sum(l => l.Price.Ssc), StringComparer.Ordinal) ?? [];
        foreach (var device in result.Devices.Where(d => d.Moved))
        {
            yield return new(_command.CompanyId, HistoryActions.DeviceMoved, device.FromProjectId, device.Mac, ChangeFeed.Details(("to", result.TargetProjectId)));
            var ssc = sscByDevice.GetValueOrDefault(device.Mac);
            yield return new(_command.CompanyId, HistoryActions.DeviceMoved, result.TargetProjectId, device.Mac, ChangeFeed.Details(
                ("from", device.FromProjectId),
                ("ssaEndDate", result.Ssa?.EndDate.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)),
                ("ssc", ssc > 0 ? ssc.ToString(System.Globalization.CultureInfo.InvariantCulture) : null),
                ("onCredit", ssc > 0 && _command.BuyOnCredit ? "true" : null),
                ("orderNumber", ssc > 0 && _command.BuyOnCredit ? _command.OrderNumber : null)));
        }
    }

    public override IReadOnlyDictionary<string, int> UnitsMoved(MoveDevicesResult result) => SsaQuoting.UnitsPaid(result.Ssa?.TotalSsc ?? 0);

    /// <summary>It consumes SSC (and on credit mints them): no bound by the units moved.</summary>
    public override bool UnitsMovedBoundTheChange => false;
}
