using System.Collections.Immutable;
using Orleans.Transactions.Abstractions;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Domain;
using OrleansLicensing.Grains.State;

namespace OrleansLicensing.Grains.Grains;

/// <summary>
/// An activation key: minted by the vendor (R-K1) or created from a balance as an own key
/// (R-K3); redeemed at most once (R-K2). All state is transactional.
/// </summary>
public sealed class ActivationKeyGrain(
    [TransactionalState("activationKey", StorageNames.Licensing)] ITransactionalState<ActivationKeyState> key,
    TimeProvider time) : Grain, IActivationKeyGrain
{
    public Task<ActivationKeyView> MintAsync(ImmutableSortedDictionary<string, int> licenses, string? orderNumber) =>
        key.PerformUpdate(state =>
        {
            EnsureNew(state);
            state.Minted = true;
            state.Licenses = licenses;
            state.OrderNumber = orderNumber;
            state.MintedAt = time.GetUtcNow();
            return View(state);
        });

    public Task<ActivationKeyView> AssignAsync(string companyId, string projectId, string? comment, DateTimeOffset at) =>
        key.PerformUpdate(state =>
        {
            EnsureLive(state);
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
        key.PerformRead(state =>
        {
            EnsureLive(state);
            return View(state);
        });

    public Task<ActivationKeyView> CreateOwnAsync(OwnKeyDraft draft, DateTimeOffset at) =>
        key.PerformUpdate(state =>
        {
            EnsureNew(state);
            state.Minted = true;
            state.Licenses = draft.Licenses;
            state.OrderNumber = draft.OrderNumber;
            state.MintedAt = at;
            state.OwnerCompanyId = draft.CompanyId;
            state.OwnerProjectId = draft.ProjectId;
            state.OwnComment = draft.Comment;
            state.OrderReference = draft.OrderReference;
            return View(state);
        });

    public Task<ActivationKeyView> UpdateOwnAsync(string companyId, ImmutableSortedDictionary<string, int> delta) =>
        key.PerformUpdate(state =>
        {
            EnsureOwnUnassigned(state, companyId);
            var builder = state.Licenses.ToBuilder();
            foreach (var (type, units) in delta)
            {
                var after = builder.GetValueOrDefault(type) + units;
                if (after < 0)
                {
                    throw new LicensingException(ErrorCodes.InvalidUnits, $"The key holds {builder.GetValueOrDefault(type)} {type}; {-units} cannot be removed.");
                }

                if (after == 0)
                {
                    builder.Remove(type);
                }
                else
                {
                    builder[type] = after;
                }
            }

            if (builder.Count == 0)
            {
                throw LicensingException.Validation("An own key must keep at least one unit; delete it instead.");
            }

            state.Licenses = builder.ToImmutable();
            return View(state);
        });

    public Task<ActivationKeyView> DeleteOwnAsync(string companyId) =>
        key.PerformUpdate(state =>
        {
            EnsureOwnUnassigned(state, companyId);
            var before = View(state);
            state.Deleted = true;
            state.Licenses = LicenseMath.Empty;
            return before;
        });

    public Task<bool> RepointAsync(Repoint repoint) =>
        key.PerformUpdate(state =>
        {
            var changed = false;
            if (state.AssignedCompanyId == repoint.FromCompanyId && (repoint.FromProjectId is null || state.AssignedProjectId == repoint.FromProjectId))
            {
                state.AssignedCompanyId = repoint.ToCompanyId;
                state.AssignedProjectId = repoint.FromProjectId is null ? state.AssignedProjectId : repoint.ToProjectId;
                changed = true;
            }

            if (state.OwnerCompanyId == repoint.FromCompanyId && (repoint.FromProjectId is null || state.OwnerProjectId == repoint.FromProjectId))
            {
                state.OwnerCompanyId = repoint.ToCompanyId;
                state.OwnerProjectId = repoint.FromProjectId is null ? state.OwnerProjectId : repoint.ToProjectId;
                changed = true;
            }

            return changed;
        });

    public Task ReadAllStatesAsync() => key.PerformRead(_ => 0);

    /// <summary>Units still in the key (zero once redeemed or deleted).</summary>
    public Task<Holding> GetHoldingAsync() =>
        key.PerformRead(state => new Holding(
            HolderKinds.Key,
            state.Minted && !state.Deleted && state.AssignedProjectId is null ? state.Licenses : LicenseMath.Empty));

    private static void EnsureNew(ActivationKeyState state)
    {
        if (state.Minted)
        {
            throw new LicensingException(ErrorCodes.Conflict, "An activation key with this code exists.");
        }
    }

    private static void EnsureLive(ActivationKeyState state)
    {
        if (!state.Minted || state.Deleted)
        {
            throw LicensingException.NotFound("The activation key");
        }
    }

    private static void EnsureOwnUnassigned(ActivationKeyState state, string companyId)
    {
        EnsureLive(state);
        if (state.OwnerCompanyId != companyId)
        {
            throw LicensingException.NotFound("The own activation key");
        }

        if (state.AssignedProjectId is not null)
        {
            throw new LicensingException(ErrorCodes.KeyAlreadyAssigned, "The key has been redeemed and can no longer be changed or deleted.");
        }
    }

    private ActivationKeyView View(ActivationKeyState state) =>
        new(this.GetPrimaryKeyString(), state.Licenses, state.OrderNumber, state.AssignedProjectId, state.AssignedCompanyId, state.Comment, state.AssignedAt,
            state.OwnerCompanyId, state.OwnerProjectId, state.OrderReference)
        {
            OwnComment = state.OwnComment,
            CreatedAt = state.Minted ? state.MintedAt : null,
        };
}
