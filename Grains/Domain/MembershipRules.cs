using System.Collections.Immutable;
using OrleansLicensing.Contracts;

namespace OrleansLicensing.Grains.Domain;

/// <summary>Who may change memberships, and the one membership every company keeps (R-U1, R-U2).</summary>
public static class MembershipRules
{
    /// <summary>Refuses a change unless the actor is an unlocked admin of the company (R-U2).</summary>
    public static Membership EnsureAdmin(IReadOnlyDictionary<string, Membership> members, string actorEmail)
    {
        if (!members.TryGetValue(actorEmail, out var actor))
        {
            throw LicensingException.NotFound("The company");
        }

        if (actor.Locked)
        {
            throw new LicensingException(ErrorCodes.UserLocked, "Your account is locked in this company.");
        }

        return actor.Admin ? actor : throw LicensingException.Forbidden("Only company admins may do this.");
    }

    /// <summary>
    /// Refuses a change of <paramref name="email"/>'s membership to <paramref name="after"/>
    /// (<c>null</c>: removed) that would leave the company without an unlocked admin
    /// (409 <see cref="ErrorCodes.LastAdmin"/>).
    /// </summary>
    public static void EnsureAnUnlockedAdminRemains(IReadOnlyDictionary<string, Membership> members, string email, Membership? after)
    {
        var remaining = members.Values.Count(m => m.Email != email && IsUnlockedAdmin(m)) + (after is not null && IsUnlockedAdmin(after) ? 1 : 0);
        if (remaining == 0)
        {
            throw new LicensingException(ErrorCodes.LastAdmin, "The company's last unlocked admin cannot be locked, removed or demoted; make another member admin first.");
        }
    }

    /// <summary>Rights must be among <see cref="CompanyRights.All"/>.</summary>
    public static ImmutableSortedSet<string> ValidRights(IEnumerable<string> rights)
    {
        var set = rights.ToImmutableSortedSet(StringComparer.Ordinal);
        var unknown = set.Where(r => !CompanyRights.All.Contains(r)).ToArray();
        return unknown.Length == 0
            ? set
            : throw LicensingException.Validation($"Unknown right(s) {string.Join(", ", unknown)}; rights are {string.Join(", ", CompanyRights.All)}.");
    }

    private static bool IsUnlockedAdmin(Membership member) => member.Admin && !member.Locked;
}
