using System.Collections.Immutable;
using Microsoft.AspNetCore.Http.HttpResults;
using OrleansLicensing.Contracts;
using OrleansLicensing.Gateway.Infrastructure;

namespace OrleansLicensing.Gateway.Apis;

/// <summary>A project's SSA: quote, preview and confirm (R-S1..R-S4); the company's credit debt (R-S4).</summary>
public static class SsaApi
{
    public static ApiGroups MapSsaApi(this ApiGroups groups)
    {
        groups.Company.MapPut("/projects/{pid}/ssa", SetSsaAsync).WithTags("SSA").WithName("SetProjectSsa")
            .WithSummary("Quote (dryRun, or a calculationDate other than today) or confirm the project's SSA end date, paid in SSC from its balance or on credit")
            .ProducesErrors(ErrorCodes.SsaEndInPast, ErrorCodes.QuoteNotConfirmable, ErrorCodes.InsufficientSsc, ErrorCodes.CreditNotAllowed, ErrorCodes.InvalidUnits, ErrorCodes.Conflict, ErrorCodes.TransientConflict);
        groups.Company.MapGet("/credit", ListCreditAsync).WithTags("SSA").WithName("ListCreditDebt")
            .WithSummary("The company's purchases on credit: order number, units, date, project (admins only)")
            .RequireCompanyRight(CompanyRights.AdminOnly).ProducesErrors(ErrorCodes.TransientConflict);
        return groups;
    }

    public static async Task<Ok<SsaResponse>> SetSsaAsync(SsaRequest request, CompanyCaller caller, IdempotencyKey? idempotency, IGrainFactory grains)
    {
        var endDate = request.EndDate ?? throw LicensingException.Validation("'endDate' is required.");
        var excluded = request.ExcludedLots ?? [];
        if (excluded.Count > InputLimits.Items.ExcludedLots)
        {
            throw LicensingException.Validation($"'excludedLots' may name at most {InputLimits.Items.ExcludedLots} lots.");
        }

        var buyOnCredit = request.BuyOnCredit ?? false;
        var orderNumber = CreditOrderNumber(caller, buyOnCredit, request.OrderNumber);

        var command = new SsaCommand(
            caller.CompanyId, caller.ProjectId!, endDate, request.CalculationDate, request.DryRun ?? false,
            [.. excluded.Select(id => Validate.Text(id, "excludedLots", InputLimits.Text.LotId)).Distinct(StringComparer.Ordinal)],
            buyOnCredit, orderNumber, caller.Email);
        var quote = await grains.LedgerFor(caller.CompanyId).SetSsaAsync(command, idempotency?.For(request));
        return TypedResults.Ok(SsaResponse.From(quote));
    }

    /// <summary>R-S4 at the gateway: buying on credit needs the right BuyOnCredit and an order number (returned, validated).</summary>
    internal static string? CreditOrderNumber(CompanyCaller caller, bool buyOnCredit, string? requested)
    {
        var orderNumber = Validate.OptionalText(requested, "orderNumber", InputLimits.Text.OrderNumber);
        if (buyOnCredit)
        {
            if (!caller.Membership.EffectiveRights.Contains(CompanyRights.BuyOnCredit))
            {
                throw new LicensingException(ErrorCodes.CreditNotAllowed, "Buying on credit needs the right BuyOnCredit in this company.");
            }

            if (orderNumber is null)
            {
                throw LicensingException.Validation("A purchase on credit needs an 'orderNumber'.");
            }
        }

        return orderNumber;
    }

    public static async Task<Ok<CreditDebtResponse[]>> ListCreditAsync(CompanyCaller caller, IGrainFactory grains) =>
        TypedResults.Ok((await grains.GetGrain<ICreditAccountGrain>(caller.CompanyId).ListAsync()).Select(CreditDebtResponse.From).ToArray());
}

/// <summary>Set or extend a project's SSA (R-S1); <c>calculationDate</c> defaults to today.</summary>
public sealed record SsaRequest(
    DateOnly? EndDate,
    DateOnly? CalculationDate = null,
    bool? DryRun = null,
    List<string>? ExcludedLots = null,
    bool? BuyOnCredit = null,
    string? OrderNumber = null);

public sealed record SsaLotResponse(
    string LotId, string Mac, string Type, int Units, string Version, DateOnly BindDate, DateOnly? SsaEndDate,
    DateOnly CoverageStart, int DaysTwice, int DaysOnce, decimal Multiplier, long Ssc, bool Excluded);

/// <summary>An SSA quote; <c>confirmed</c> when it was paid and applied, <c>confirmable</c> when it is for today.</summary>
public sealed record SsaResponse(
    string ProjectId, DateOnly CalculationDate, DateOnly EndDate, IReadOnlyList<SsaLotResponse> Lots, long TotalSsc,
    bool Confirmable, bool Confirmed, bool OnCredit)
{
    public static SsaResponse From(SsaQuote quote) => new(
        quote.ProjectId, quote.CalculationDate, quote.EndDate,
        [.. quote.Lots.Select(l => new SsaLotResponse(l.LotId, l.Mac, l.Price.Type, l.Price.Units, l.Version, l.BindDate, l.SsaEndDate, l.Price.CoverageStart, l.Price.DaysTwice, l.Price.DaysOnce, l.Price.Multiplier, l.Price.Ssc, l.Excluded))],
        quote.TotalSsc, quote.Confirmable, quote.Confirmed, quote.OnCredit);
}

public sealed record CreditDebtResponse(string OrderNumber, IReadOnlyDictionary<string, int> Licenses, DateOnly Date, string ProjectId, string UserEmail, string Purpose)
{
    public static CreditDebtResponse From(CreditDebt debt) => new(debt.OrderNumber, debt.Licenses, debt.Date, debt.ProjectId, debt.UserEmail, debt.Purpose);
}
