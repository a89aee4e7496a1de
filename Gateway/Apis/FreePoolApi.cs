using System.Collections.Immutable;
using Microsoft.AspNetCore.Http.HttpResults;
using OrleansLicensing.Contracts;
using OrleansLicensing.Gateway.Infrastructure;

namespace OrleansLicensing.Gateway.Apis;

/// <summary>Free licenses of a project (R-V5, R-V6) and adding them to devices (R-L4).</summary>
public static class FreePoolApi
{
    public static ApiGroups MapFreePoolApi(this ApiGroups groups)
    {
        var pool = groups.Company.MapGroup("/projects/{pid}/free-licenses").WithTags("Free licenses");
        pool.MapGet(string.Empty, ListAsync).WithName("ListFreeLicenses").WithSummary("Lots waiting in the project's free pool")
            .ProducesErrors(ErrorCodes.TransientConflict);
        pool.MapPost("/convert", ConvertAsync).WithName("ConvertFreeLicenses")
            .WithSummary("Convert free-pool lots to balance, paying one year of SSC per unit; lots under SSA may convert to a later version released before their SSA end (`version`)")
            .ProducesErrors(ErrorCodes.Forbidden, ErrorCodes.InsufficientBalance, ErrorCodes.VersionNotOffered, ErrorCodes.TransientConflict);

        groups.Company.MapPost("/devices/{mac}/licenses/from-free", AddFromFreeAsync).WithTags("Free licenses").WithName("AddLicensesFromFreePool")
            .WithSummary("Bind free-pool lots to the device, keeping bind date, SSA end and external key")
            .ProducesErrors(ErrorCodes.InvalidMac, ErrorCodes.ConsistencyViolation, ErrorCodes.DeviceNotInProject, ErrorCodes.TransientConflict);
        return groups;
    }

    public static async Task<Ok<LotResponse[]>> ListAsync(CompanyCaller caller, IGrainFactory grains) =>
        TypedResults.Ok((await grains.GetGrain<IProjectGrain>(caller.ProjectId!).GetFreePoolAsync()).Select(LotResponse.From).ToArray());

    public static async Task<Ok<ConvertResponse>> ConvertAsync(ConvertRequest request, CompanyCaller caller, IdempotencyKey? idempotency, IGrainFactory grains)
    {
        var lotIds = LotIds(new LotSelectionRequest(request.LotIds!));
        var version = Validate.OptionalText(request.Version, "version", InputLimits.Text.Version);
        var credited = await grains.LedgerFor(caller.CompanyId).ConvertFreePoolAsync(caller.CompanyId, caller.ProjectId!, lotIds, idempotency?.For(request), version);
        return TypedResults.Ok(new ConvertResponse(caller.ProjectId!, credited));
    }

    public static async Task<Ok<LotResponse[]>> AddFromFreeAsync(LotSelectionRequest request, CompanyCaller caller, IdempotencyKey? idempotency, IGrainFactory grains)
    {
        var lotIds = LotIds(request);
        var lots = await grains.LedgerFor(caller.CompanyId).AddFromFreePoolAsync(caller.CompanyId, caller.Device.Mac, lotIds, idempotency?.For(request));
        return TypedResults.Ok(lots.Select(LotResponse.From).ToArray());
    }

    internal static ImmutableArray<string> LotIds(LotSelectionRequest request)
    {
        if (request.LotIds is null || request.LotIds.Count == 0 || request.LotIds.Count > InputLimits.Items.FreePoolLots)
        {
            throw LicensingException.Validation($"'lotIds' must name 1 to {InputLimits.Items.FreePoolLots} lots.");
        }

        return [.. request.LotIds.Select(id => Validate.Text(id, "lotIds", InputLimits.Text.LotId)).Distinct(StringComparer.Ordinal)];
    }
}

/// <param name="LotIds">The free-pool lots to convert.</param>
/// <param name="Version">For lots under SSA: the version to convert to (R-V6), released after the lot's and on or before its SSA end; a V7 PBX package becomes the cheapest V8+ port packages with the same ports.</param>
public sealed record ConvertRequest(List<string>? LotIds, string? Version = null);
