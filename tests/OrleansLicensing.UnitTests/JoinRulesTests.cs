using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Domain;

namespace OrleansLicensing.UnitTests;

/// <summary>Rules of company joins (R-U3) and project joins (R-P4) that need no grain.</summary>
public sealed class JoinRulesTests
{
    [Fact]
    public void R_U3_a_clashing_project_name_gets_the_first_free_suffix_case_insensitively()
    {
        Assert.Equal("Berlin", JoinRules.UniqueProjectName("Berlin", ["DEFAULT", "Munich"]));
        Assert.Equal("DEFAULT (2)", JoinRules.UniqueProjectName("DEFAULT", ["DEFAULT", "Munich"]));
        Assert.Equal("munich (3)", JoinRules.UniqueProjectName("munich", ["Munich", "MUNICH (2)"]));
    }

    [Fact]
    public void R_U3_a_company_is_not_joined_into_itself_nor_while_another_join_involves_it()
    {
        Assert.Equal(ErrorCodes.ValidationFailed, Assert.Throws<LicensingException>(() => JoinRules.EnsureCanBeLocked("a", "a", 0, 0)).Code);
        Assert.Equal(ErrorCodes.JoinInProgress, Assert.Throws<LicensingException>(() => JoinRules.EnsureCanBeLocked("b", "a", incomingJoins: 1, projectJoins: 0)).Code);
        Assert.Equal(ErrorCodes.JoinInProgress, Assert.Throws<LicensingException>(() => JoinRules.EnsureCanBeLocked("b", "a", incomingJoins: 0, projectJoins: 1)).Code);
        JoinRules.EnsureCanBeLocked("b", "a", 0, 0);
    }

    [Fact]
    public void R_P4_a_project_joins_another_of_its_company_unless_it_is_the_default_or_part_of_a_running_join()
    {
        string[] projects = ["default", "p1", "p2", "p3"];
        LicensingException Refusal(string source, string target, params (string, string)[] running) =>
            Assert.Throws<LicensingException>(() => JoinRules.EnsureProjectJoinAllowed(source, target, "default", projects, running));

        Assert.Equal(ErrorCodes.ValidationFailed, Refusal("p1", "p1").Code);
        Assert.Equal(ErrorCodes.NotFound, Refusal("p1", "elsewhere").Code);
        Assert.Equal(ErrorCodes.Conflict, Refusal("default", "p1").Code);
        Assert.Equal(ErrorCodes.JoinInProgress, Refusal("p1", "p2", ("p2", "p3")).Code);
        Assert.Equal(ErrorCodes.JoinInProgress, Refusal("p1", "p2", ("p3", "p1")).Code);

        // Two joins into the same target may run side by side.
        JoinRules.EnsureProjectJoinAllowed("p1", "p2", "default", projects, [("p3", "p2")]);
        JoinRules.EnsureProjectJoinAllowed("p1", "default", "default", projects, []);
    }
}
