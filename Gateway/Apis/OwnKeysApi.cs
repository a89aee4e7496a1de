using Microsoft.AspNetCore.Http.HttpResults;
using OrleansLicensing.Contracts;
using OrleansLicensing.Gateway.Infrastructure;

namespace OrleansLicensing.Gateway.Apis;

/// <summary>Own activation keys created from a project's balance (R-K3).</summary>
public static class OwnKeysApi
{
    public static ApiGroups MapOwnKeysApi(this ApiGroups groups)
    {
        var keys = groups.Company.MapGroup("/projects/{pid}/own-keys").WithTags("Own keys");
        keys.MapGet(string.Empty, ListAsync).WithName("ListOwnKeys")
            .WithSummary("The own activation keys created from the project and not deleted, oldest first")
            .ProducesErrors(ErrorCodes.TransientConflict);
        keys.MapPost(string.Empty, CreateAsync).WithName("CreateOwnKey")
            .WithSummary("Create an own activation key from the project's balance")
            .ProducesErrors(ErrorCodes.UnknownLicenseType, ErrorCodes.InvalidUnits, ErrorCodes.Forbidden, ErrorCodes.InsufficientBalance, ErrorCodes.TransientConflict);
        keys.MapPatch("/{key}", UpdateAsync).WithName("UpdateOwnKey")
            .WithSummary("Add units to (or, with negative numbers, remove units from) an unassigned own key")
            .ProducesErrors(ErrorCodes.UnknownLicenseType, ErrorCodes.InvalidUnits, ErrorCodes.InsufficientBalance, ErrorCodes.KeyAlreadyAssigned, ErrorCodes.TransientConflict);
        keys.MapDelete("/{key}", DeleteAsync).WithName("DeleteOwnKey")
            .WithSummary("Delete an unassigned own key; its units go back to the balance")
            .ProducesErrors(ErrorCodes.KeyAlreadyAssigned, ErrorCodes.TransientConflict);
        return groups;
    }

    public static async Task<Ok<OwnKeyResponse[]>> ListAsync(CompanyCaller caller, IGrainFactory grains) =>
        TypedResults.Ok((await grains.GetGrain<IProjectGrain>(caller.ProjectId!).ListOwnKeysAsync()).Select(Response).ToArray());

    public static async Task<Created<OwnKeyResponse>> CreateAsync(CreateOwnKeyRequest request, CompanyCaller caller, IdempotencyKey? idempotency, IGrainFactory grains, Catalog catalog)
    {
        var licenses = catalog.ValidateLicenseMap(request.Licenses);
        var draft = new OwnKeyDraft(caller.CompanyId, caller.ProjectId!, licenses,
            Validate.OptionalText(request.Comment, "comment", InputLimits.Text.KeyComment),
            Validate.OptionalText(request.OrderNumber, "orderNumber", InputLimits.Text.OrderNumber),
            Validate.OptionalText(request.OrderReference, "orderReference", InputLimits.Text.OrderReference));
        var key = await grains.LedgerFor(caller.CompanyId).CreateOwnKeyAsync(draft, idempotency?.For(request));
        return TypedResults.Created($"/api/v1/companies/{caller.CompanyId}/projects/{caller.ProjectId}/own-keys/{key.Key}", Response(key));
    }

    public static async Task<Ok<OwnKeyResponse>> UpdateAsync(string key, UpdateOwnKeyRequest request, CompanyCaller caller, IdempotencyKey? idempotency, IGrainFactory grains, Catalog catalog)
    {
        var delta = catalog.ValidateLicenseMap(request.Licenses, allowNegative: true);
        var code = Codes.NormalizeActivationKey(key) ?? throw LicensingException.NotFound("The own activation key");
        var updated = await grains.LedgerFor(caller.CompanyId).UpdateOwnKeyAsync(caller.CompanyId, code, delta, idempotency?.For(request));
        return TypedResults.Ok(Response(updated));
    }

    public static async Task<Ok<OwnKeyResponse>> DeleteAsync(string key, CompanyCaller caller, IdempotencyKey? idempotency, IGrainFactory grains)
    {
        var code = Codes.NormalizeActivationKey(key) ?? throw LicensingException.NotFound("The own activation key");
        var deleted = await grains.LedgerFor(caller.CompanyId).DeleteOwnKeyAsync(caller.CompanyId, code, idempotency?.For(new { key = code }));
        return TypedResults.Ok(Response(deleted));
    }

    private static OwnKeyResponse Response(ActivationKeyView key) =>
        new(key.Key, key.Licenses, key.OrderNumber, key.OrderReference, key.OwnerProjectId, key.OwnComment, key.AssignedProjectId is not null);
}
