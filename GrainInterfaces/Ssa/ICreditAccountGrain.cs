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

    /// <summary>
    /// A company join (R-U3): takes the debts of <paramref name="otherCompanyId"/>'s account into this
    /// one, in one transaction, so the joined company's debt is never lost nor counted twice; a
    /// repeat finds the other account empty and changes nothing.
    /// </summary>
    [Transaction(TransactionOption.CreateOrJoin)]
    Task AbsorbAsync(string otherCompanyId);

    /// <summary>Removes and returns every debt (the account was absorbed by a company join).</summary>
    [Transaction(TransactionOption.Join)]
    Task<ImmutableArray<CreditDebt>> TakeAllAsync();

    /// <summary>The purchases on credit, oldest first.</summary>
    [Transaction(TransactionOption.CreateOrJoin)]
    Task<ImmutableArray<CreditDebt>> ListAsync();
}
