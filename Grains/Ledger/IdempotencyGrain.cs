using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Transactions.Abstractions;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Ledger;
using OrleansLicensing.Grains.State;

namespace OrleansLicensing.Grains.Grains;

/// <summary>
/// One idempotency key of one caller. The result is written in the same transaction as the
/// effect, so "committed but the response was lost" and "not committed" are the only cases a
/// retry can meet: the first returns the recorded result, the second runs the operation. A
/// record answers for <see cref="IdempotencyOptions.RetentionDays"/> from its completion; after
/// that the key is free again (and the sweep deletes the record, decision D104).
/// </summary>
public sealed class IdempotencyGrain(
    [TransactionalState("idempotency", StorageNames.Licensing)] ITransactionalState<IdempotencyState> record,
    [FromKeyedServices(LicensingClock.Key)] TimeProvider time,
    IOptions<IdempotencyOptions> options) : Grain, IIdempotencyGrain
{
    public const string StateName = "idempotency";

    public Task<object?> ClaimAsync(string fingerprint) =>
        record.PerformRead(state =>
        {
            if (state.CompletedAt is { } completed && time.GetUtcNow() - completed >= TimeSpan.FromDays(options.Value.RetentionDays))
            {
                return null;
            }

            if (state.Fingerprint is not null && state.Fingerprint != fingerprint)
            {
                throw new LicensingException(ErrorCodes.IdempotencyKeyReused, "This Idempotency-Key was used for a different request.");
            }

            return state.Result;
        });

    public Task ReadAllStatesAsync() => record.PerformRead(_ => 0);

    public Task CompleteAsync(string fingerprint, object result) =>
        record.PerformUpdate(state =>
        {
            state.Fingerprint = fingerprint;
            state.Result = result;
            state.CompletedAt = time.GetUtcNow();
        });
}
