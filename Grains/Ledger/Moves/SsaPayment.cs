using System.Collections.Immutable;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Domain;

namespace OrleansLicensing.Grains.Ledger;

/// <summary>
/// Quotes lots of a device for an SSA end date (R-S2, R-S3) and pays a quote inside a move's
/// transaction (R-S4): from the project's <c>SSC</c> balance, or
/// minted on credit with source <c>Credit</c> and recorded as the company's debt; consumed either
/// way (R-C2). Shared by the SSA of a project (R-S1) and a device move into a project under SSA (R-D6).
/// </summary>
public static class SsaPayment
{
    public const string SscType = "SSC";

    /// <summary>The quote of one lot of <paramref name="mac"/> up to <paramref name="endDate"/>, marked excluded when the caller left it out.</summary>
    public static SsaLotQuote QuoteLot(SscCalculator calculator, string mac, LicenseLot lot, DateOnly calculationDate, DateOnly endDate, ImmutableHashSet<string> excluded) =>
        new(lot.LotId, mac, lot.Version, lot.BindDate, lot.SsaEndDate,
            calculator.QuoteLot(new SscLot(lot.Type, lot.Units, lot.Version, lot.BindDate, lot.SsaEndDate), calculationDate, endDate),
            excluded.Contains(lot.LotId));

    /// <summary>Refuses (nothing applied) when 'excludedLots' names lots the quote does not hold.</summary>
    public static void EnsureExcludedAreQuoted(ImmutableHashSet<string> excluded, IEnumerable<SsaLotQuote> quotes, string whose)
    {
        var unknown = excluded.Except(quotes.Select(q => q.LotId)).Order(StringComparer.Ordinal).ToArray();
        if (unknown.Length > 0)
        {
            throw new LicensingException(
                ErrorCodes.ValidationFailed,
                $"'excludedLots' names lots that are not SSA lots of {whose}.",
                ImmutableDictionary<string, string[]>.Empty.Add("excludedLots", unknown));
        }
    }

    public static async Task PayAsync(LedgerContext context, string companyId, string projectId, long total, bool buyOnCredit, string? orderNumber, string userEmail, DateOnly today)
    {
        if (total == 0)
        {
            return;
        }

        if (total > int.MaxValue)
        {
            throw new LicensingException(ErrorCodes.InvalidUnits, $"An SSA of {total} SSC is more than one payment can hold; put fewer lots under SSA at a time.");
        }

        var ssc = LicenseMath.ToMap([KeyValuePair.Create(SscType, (int)total)]);
        if (buyOnCredit)
        {
            await context.MintLedger.RecordMintAsync(ssc, LotSources.Credit);
            await context.Grains.GetGrain<ICreditAccountGrain>(companyId).RecordAsync(
                new CreditDebt(orderNumber!, ssc, today, projectId, userEmail, CreditPurposes.Ssa));
        }
        else
        {
            await context.Project(projectId).DebitSscAsync((int)total);
        }

        await context.MintLedger.RecordConsumedAsync(ssc);
    }

    /// <summary>The SSC paid, for the metrics.</summary>
    public static IReadOnlyDictionary<string, int> UnitsPaid(long total) =>
        total is > 0 and <= int.MaxValue ? LicenseMath.ToMap([KeyValuePair.Create(SscType, (int)total)]) : LicenseMath.Empty;
}
