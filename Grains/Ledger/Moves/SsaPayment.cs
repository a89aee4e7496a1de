using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Domain;

namespace OrleansLicensing.Grains.Ledger;

/// <summary>
/// Pays an SSA quote inside a move's transaction (R-S4): from the project's <c>SSC</c> balance, or
/// minted on credit with source <c>Credit</c> and recorded as the company's debt; consumed either
/// way (R-C2). Shared by the SSA of a project (R-S1) and a device move into a project under SSA (R-D6).
/// </summary>
public static class SsaPayment
{
    public const string SscType = "SSC";

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
