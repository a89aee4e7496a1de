using System.Collections.Immutable;
using Orleans.Transactions.Abstractions;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.State;

namespace OrleansLicensing.Grains.Grains;

public sealed class ActivationKeyGrain(
    [TransactionalState("activationKey", StorageNames.Licensing)] ITransactionalState<ActivationKeyState> key,
    TimeProvider time) : Grain, IActivationKeyGrain
{
    public Task<ActivationKeyView> MintAsync(ImmutableSortedDictionary<string, int> licenses, string? orderNumber) =>
        key.PerformUpdate(state =>
        {
            if (state.Minted)
            {
                throw new LicensingException(ErrorCodes.Conflict, "An activation key with this code exists.");
            }

            state.Minted = true;
            state.Licenses = licenses;
            state.OrderNumber = orderNumber;
            state.MintedAt = time.GetUtcNow();
            return View(state);
        });

    public Task<ActivationKeyView> AssignAsync(string companyId, string projectId, string? comment, DateTimeOffset at) =>
        key.PerformUpdate(state =>
        {
            if (!state.Minted)
            {
                throw LicensingException.NotFound("The activation key");
            }

            if (state.AssignedProjectId is not null)
            {
                throw new LicensingException(ErrorCodes.KeyAlreadyAssigned, "This activation key has already been redeemed.");
            }

            state.AssignedCompanyId = companyId;
            state.AssignedProjectId = projectId;
            state.Comment = comment;
            state.AssignedAt = at;
            return View(state);
        });

    public Task<ActivationKeyView> GetAsync() =>
        key.PerformRead(state => state.Minted ? View(state) : throw LicensingException.NotFound("The activation key"));

    private ActivationKeyView View(ActivationKeyState state) =>
        new(this.GetPrimaryKeyString(), state.Licenses, state.OrderNumber, state.AssignedProjectId, state.AssignedCompanyId, state.Comment, state.AssignedAt);
}
