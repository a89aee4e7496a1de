using System.Collections.Immutable;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Domain;

namespace OrleansLicensing.Grains.Ledger;

/// <summary>
/// How SSC and licenses are paid inside a ledger move (R-S4, R-C2): SSC from a project's <c>SSC</c>
/// balance or minted on credit, consumed either way; licenses on credit minted with source
/// <c>Credit</c>. Every purchase on credit is recorded as the company's debt in the same transaction.
/// </summary>
public static class SscPayment
{
    public const string SscType = "SSC";

    /// <summary>A purchase on credit: who, for which order and project, on which day.</summary>
    public sealed record CreditOrder(string CompanyId, string ProjectId, string OrderNumber, string UserEmail, DateOnly Today);

    /// <summary>Pays <paramref name="total"/> SSC: debited from <paramref name="projectId"/>'s balance, or minted on <paramref name="credit"/>; consumed either way.</summary>
    public static async Task PaySscAsync(LedgerContext context, string projectId, long total, CreditOrder? credit, string purpose)
    {
        if (total == 0)
        {
            return;
        }

        if (total > int.MaxValue)
        {
            throw new LicensingException(ErrorCodes.InvalidUnits, $"A payment of {total} SSC is more than one payment can hold; pay for fewer lots at a time.");
        }

        var ssc = LicenseMath.ToMap([KeyValuePair.Create(SscType, (int)total)]);
        if (credit is not null)
        {
            await BuyOnCreditAsync(context, ssc, credit, purpose);
        }
        else
        {
            await context.Project(projectId).DebitSscAsync((int)total);
        }

        await context.MintLedger.RecordConsumedAsync(ssc);
    }

    /// <summary>Mints <paramref name="units"/> with source Credit and records them as the company's debt.</summary>
    public static async Task BuyOnCreditAsync(LedgerContext context, ImmutableSortedDictionary<string, int> units, CreditOrder credit, string purpose)
    {
        await context.MintLedger.RecordMintAsync(units, LotSources.Credit);
        await context.Grains.GetGrain<ICreditAccountGrain>(credit.CompanyId).RecordAsync(
            new CreditDebt(credit.OrderNumber, units, credit.Today, credit.ProjectId, credit.UserEmail, purpose));
    }
}
