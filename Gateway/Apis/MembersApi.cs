using System.Collections.Immutable;
using Microsoft.AspNetCore.Http.HttpResults;
using OrleansLicensing.Contracts;
using OrleansLicensing.Gateway.Infrastructure;

namespace OrleansLicensing.Gateway.Apis;

/// <summary>A company's users: membership, admin and locked flags, rights (R-U1, R-U2, R-U4).</summary>
public static class MembersApi
{
    public static ApiGroups MapMembersApi(this ApiGroups groups)
    {
        var users = groups.Company.MapGroup("/users").WithTags("Companies");
        users.MapGet(string.Empty, ListMembersAsync).WithName("ListCompanyUsers")
            .WithSummary("The company's users with their flags and rights (every member may read it)");
        users.MapGet("/removed", ListFormerMembersAsync).WithName("ListRemovedCompanyUsers")
            .WithSummary("Users removed from the company, oldest first; their history stays theirs");
        users.MapPost(string.Empty, AddMemberAsync).WithName("AddCompanyUser")
            .WithSummary("Add an activated account to the company (admins only)")
            .RequireCompanyRight(CompanyRights.AdminOnly)
            .ProducesErrors(ErrorCodes.InvalidEmail, ErrorCodes.UserNotFound, ErrorCodes.Conflict);
        users.MapPatch("/{email}", UpdateMemberAsync).WithName("UpdateCompanyUser")
            .WithSummary("Lock or unlock a user, grant or revoke admin and rights (admins only)")
            .RequireCompanyRight(CompanyRights.AdminOnly)
            .ProducesErrors(ErrorCodes.InvalidEmail, ErrorCodes.LastAdmin);
        users.MapDelete("/{email}", RemoveMemberAsync).WithName("RemoveCompanyUser")
            .WithSummary("Remove a user from the company; the account and its history stay (admins only)")
            .RequireCompanyRight(CompanyRights.AdminOnly)
            .ProducesErrors(ErrorCodes.InvalidEmail, ErrorCodes.LastAdmin);
        return groups;
    }

    public static async Task<Ok<MemberResponse[]>> ListMembersAsync(CompanyCaller caller, IGrainFactory grains)
    {
        var members = await grains.GetGrain<ICompanyGrain>(caller.CompanyId).ListMembersAsync();
        return TypedResults.Ok(members.Select(MemberResponse.From).ToArray());
    }

    public static async Task<Ok<FormerMemberResponse[]>> ListFormerMembersAsync(CompanyCaller caller, IGrainFactory grains)
    {
        var former = await grains.GetGrain<ICompanyGrain>(caller.CompanyId).ListFormerMembersAsync();
        return TypedResults.Ok(former.Select(FormerMemberResponse.From).ToArray());
    }

    public static async Task<Created<MemberResponse>> AddMemberAsync(AddMemberRequest request, CompanyCaller caller, IGrainFactory grains)
    {
        var email = Email.Normalize(request.Email);
        var member = await grains.GetGrain<ICompanyGrain>(caller.CompanyId)
            .AddMemberAsync(caller.Email, email, request.Admin ?? false, request.Locked ?? false, Rights(request.Rights) ?? []);
        return TypedResults.Created($"/api/v1/companies/{caller.CompanyId}/users/{Uri.EscapeDataString(member.Email)}", MemberResponse.From(member));
    }

    public static async Task<Ok<MemberResponse>> UpdateMemberAsync(string email, UpdateMemberRequest request, CompanyCaller caller, IGrainFactory grains, TokenRevocations revocations)
    {
        var member = await grains.GetGrain<ICompanyGrain>(caller.CompanyId)
            .UpdateMemberAsync(caller.Email, Email.Normalize(email), new MemberChanges(request.Admin, request.Locked, Rights(request.Rights)));
        if (member.Locked)
        {
            // A lock revoked the member's tokens: refused on this gateway at once, on others within the check interval.
            revocations.Forget(member.Email);
        }

        return TypedResults.Ok(MemberResponse.From(member));
    }

    public static async Task<NoContent> RemoveMemberAsync(string email, CompanyCaller caller, IGrainFactory grains, TokenRevocations revocations)
    {
        var member = Email.Normalize(email);
        await grains.GetGrain<ICompanyGrain>(caller.CompanyId).RemoveMemberAsync(caller.Email, member);
        revocations.Forget(member);
        return TypedResults.NoContent();
    }

    /// <summary>Rights by their names (case as documented); an unknown one is 400 before any grain call.</summary>
    private static ImmutableSortedSet<string>? Rights(List<string>? rights)
    {
        if (rights is null)
        {
            return null;
        }

        var unknown = rights.Where(r => !CompanyRights.All.Contains(r)).ToArray();
        return unknown.Length == 0
            ? rights.ToImmutableSortedSet(StringComparer.Ordinal)
            : throw LicensingException.Validation($"Unknown right(s) {string.Join(", ", unknown.Select(r => $"'{r}'"))}; rights are {string.Join(", ", CompanyRights.All)}.");
    }
}
