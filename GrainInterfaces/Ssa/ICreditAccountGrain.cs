using System.Collections.Immutable;

namespace OrleansLicensing.Contracts;

/// <summary>
/// A company's credit debt (R-S4): every purchase on credit, recorded in the transaction that
/// minted the units (R-C2). Keyed by company id; read by the company's admins.
/// </summary>
public interface ICreditAccountGrain : IGrainWithStringKey
{
    [Transaction(TransactionOption.Join)]
    Task RecordAsync(CreditDebt debt);

    /// <summary>The purchases on credit, oldest first.</summary>
    [Transaction(TransactionOption.CreateOrJoin)]
    Task<ImmutableArray<CreditDebt>> ListAsync();
}
