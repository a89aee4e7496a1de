using OrleansLicensing.Contracts;

namespace OrleansLicensing.UnitTests;

/// <summary>D126: the ledger worker of a company is chosen the same way in every process.</summary>
public sealed class LedgerLanesTests
{
    [Theory]
    [InlineData("se6qydznc9dfydzk", 25)]
    [InlineData("cvvvdb", 18)]
    [InlineData("", 5)]
    public void A_company_has_the_same_lane_in_every_process(string companyId, long lane)
    {
        // Values computed independently (FNV-1a over the id's UTF-16 code units, modulo 64): a
        // process-randomised hash (string.GetHashCode) would give each gateway its own answer.
        Assert.Equal(lane, LedgerLanes.Lane(companyId));
    }

    [Fact]
    public void Companies_spread_over_all_lanes_and_the_vendor_has_its_own_key()
    {
        var lanes = Enumerable.Range(0, 2_000).Select(i => LedgerLanes.Lane($"company{i:x6}")).ToArray();
        Assert.All(lanes, lane => Assert.InRange(lane, 0, LedgerLanes.Count - 1));
        Assert.Equal(LedgerLanes.Count, lanes.Distinct().Count());
        Assert.True(lanes.GroupBy(lane => lane).Max(g => g.Count()) < 3 * 2_000 / LedgerLanes.Count, "one lane takes far more than its share");
        Assert.Equal(0, LedgerLanes.Vendor);
    }
}
