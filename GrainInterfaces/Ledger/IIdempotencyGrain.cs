namespace OrleansLicensing.Contracts;

/// <summary>
/// The first outcome of a request sent with an <c>Idempotency-Key</c>, recorded in the same
/// transaction as its effect, so a retry returns it instead of applying twice.
/// </summary>
public interface IIdempotencyGrain : ITransactionalHolder
{
    /// <summary>The recorded result, or <c>null</c> when the key is new; IdempotencyKeyReused for another request.</summary>
    [Transaction(TransactionOption.Join)]
    Task<object?> ClaimAsync(string fingerprint);

    [Transaction(TransactionOption.Join)]
    Task CompleteAsync(string fingerprint, object result);
}
