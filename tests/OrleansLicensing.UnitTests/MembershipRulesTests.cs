using System.Collections.Immutable;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Domain;

namespace OrleansLicensing.UnitTests;

public sealed class MembershipRulesTests
{
    private static Membership Admin(string email, bool locked = false) => new(email, Admin: true, Locked: locked, []);

    private static Membership User(string email) => new(email, Admin: false, Locked: false, []);

    private static ImmutableDictionary<string, Membership> Members(params Membership[] members) => members.ToImmutableDictionary(m => m.Email);

    [Fact]
    public void R_U2_the_only_unlocked_admin_cannot_be_locked_demoted_or_removed()
    {
        var members = Members(Admin("a@x.io"), User("u@x.io"), Admin("l@x.io", locked: true));
        foreach (var after in new Membership?[] { Admin("a@x.io", locked: true), User("a@x.io"), null })
        {
            var error = Assert.Throws<LicensingException>(() => MembershipRules.EnsureAnUnlockedAdminRemains(members, "a@x.io", after));
            Assert.Equal(ErrorCodes.LastAdmin, error.Code);
        }
    }

    [Fact]
    public void R_U2_with_a_second_unlocked_admin_either_may_go_and_other_members_are_free()
    {
        var members = Members(Admin("a@x.io"), Admin("b@x.io"), User("u@x.io"));
        MembershipRules.EnsureAnUnlockedAdminRemains(members, "a@x.io", null);
        MembershipRules.EnsureAnUnlockedAdminRemains(members, "b@x.io", User("b@x.io"));
        MembershipRules.EnsureAnUnlockedAdminRemains(Members(Admin("a@x.io"), User("u@x.io")), "u@x.io", null);
    }

    [Fact]
    public void R_U2_only_unlocked_admins_may_act_and_admins_hold_every_right()
    {
        var members = Members(Admin("a@x.io"), Admin("l@x.io", locked: true), User("u@x.io") with { Rights = CompanyRights.All });
        Assert.Equal("a@x.io", MembershipRules.EnsureAdmin(members, "a@x.io").Email);
        Assert.Equal(ErrorCodes.UserLocked, Assert.Throws<LicensingException>(() => MembershipRules.EnsureAdmin(members, "l@x.io")).Code);
        Assert.Equal(ErrorCodes.Forbidden, Assert.Throws<LicensingException>(() => MembershipRules.EnsureAdmin(members, "u@x.io")).Code);
        Assert.Equal(ErrorCodes.NotFound, Assert.Throws<LicensingException>(() => MembershipRules.EnsureAdmin(members, "n@x.io")).Code);
        Assert.Equal(CompanyRights.All, Admin("a@x.io").EffectiveRights);
        Assert.Equal(ErrorCodes.ValidationFailed, Assert.Throws<LicensingException>(() => MembershipRules.ValidRights(["MoveLicenses", CompanyRights.AdminOnly])).Code);
    }
}
