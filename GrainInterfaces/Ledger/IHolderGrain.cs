namespace OrleansLicensing.Contracts;

/// <summary>A holder of license units (project, activation key, device): what the audit counts and a move changes.</summary>
public interface IHolderGrain : ITransactionalHolder
{
    /// <summary>The units the holder holds, for the conservation audit.</summary>
    [Transaction(TransactionOption.CreateOrJoin)]
    Task<Holding> GetHoldingAsync();
}
