namespace OrleansLicensing.Contracts;

/// <summary>
/// A grain whose transactional states the ledger reads, all of them, to learn that the
/// transactions which prepared them have resolved: a transaction that read a prepared state
/// commits only after the transaction that prepared it, and aborts if that one aborts. The
/// ledger's check of a refusal (D127) reads the holders a move touches this way.
/// </summary>
public interface ITransactionalHolder : IGrainWithStringKey
{
    /// <summary>Reads every transactional state of the grain, in the caller's transaction (or a new one).</summary>
    [Transaction(TransactionOption.CreateOrJoin)]
    Task ReadAllStatesAsync();
}
