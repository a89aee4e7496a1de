using System.Collections.Immutable;

namespace OrleansLicensing.Contracts;

/// <summary>An activation key keyed by its canonical code (R-K1, R-K2).</summary>
public interface IActivationKeyGrain : IHolderGrain
{
    /// <summary>Mints the key (vendor only); Conflict when the code exists.</summary>
    [Transaction(TransactionOption.CreateOrJoin)]
    Task<ActivationKeyView> MintAsync(ImmutableSortedDictionary<string, int> licenses, string? orderNumber);

    /// <summary>Marks the key redeemed into a project; <see cref="ErrorCodes.KeyAlreadyAssigned"/> the second time.</summary>
    [Transaction(TransactionOption.Join)]
    Task<ActivationKeyView> AssignAsync(string companyId, string projectId, string? comment, DateTimeOffset at);

    [Transaction(TransactionOption.CreateOrJoin)]
    Task<ActivationKeyView> GetAsync();

    /// <summary>Creates an own key holding units taken from a project's balance (R-K3).</summary>
    [Transaction(TransactionOption.Join)]
    Task<ActivationKeyView> CreateOwnAsync(OwnKeyDraft draft, DateTimeOffset at);

    /// <summary>Adds (positive) or removes (negative) units of an unassigned own key; returns the key after the change.</summary>
    [Transaction(TransactionOption.Join)]
    Task<ActivationKeyView> UpdateOwnAsync(string companyId, ImmutableSortedDictionary<string, int> delta);

    /// <summary>Deletes an unassigned own key; returns it as it was, so its units go back to the balance.</summary>
    [Transaction(TransactionOption.Join)]
    Task<ActivationKeyView> DeleteOwnAsync(string companyId);

    /// <summary>A join's change of the key's redeeming and owning company/project (R-U3, R-P4); false when nothing referred to the source.</summary>
    [Transaction(TransactionOption.Join)]
    Task<bool> RepointAsync(Repoint repoint);
}
