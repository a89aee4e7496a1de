using System.Collections.Immutable;
using FsCheck;
using FsCheck.Fluent;
using OrleansLicensing.Contracts;

namespace OrleansLicensing.UnitTests;

/// <summary>R-L3: the cheapest V8 package combination for a wished port total, against a brute-force search.</summary>
public sealed class PackageOptimiserTests
{
    private const int MaxPorts = 500;

    private static readonly string[] Packages = ["PBX-Port8", "PBX-Port8*5", "PBX-Port8*20", "PBX-Port8*100"];

    /// <summary>Balances of the four catalog packages; each type is often absent, sometimes plentiful.</summary>
    private static readonly Arbitrary<int[]> Balances =
        (from ones in Units(600)
         from fives in Units(120)
         from twenties in Units(30)
         from hundreds in Units(6)
         select new[] { ones, fives, twenties, hundreds }).ToArbitrary();

    private static Gen<int> Units(int plenty) =>
        Gen.Frequency((2, Gen.Constant(0)), (3, Gen.Choose(1, Math.Min(12, plenty))), (2, Gen.Choose(1, plenty)));

    private static ImmutableArray<PackageOption> OptionsFor(int[] balance) =>
        PackageOptimiser.Options(Catalog.Default, "V13", Packages.Select((code, i) => (code, units: balance[i])).ToDictionary(p => p.code, p => p.units));

    [FsCheck.Xunit.Property(MaxTest = 40)]
    public Property R_L3_the_plan_for_every_total_from_1_to_500_is_as_cheap_as_a_brute_force_search() =>
        Prop.ForAll(Balances, balance =>
        {
            var options = OptionsFor(balance);
            var cheapest = BruteForce(options);
            for (var ports = 1; ports <= MaxPorts; ports++)
            {
                var plan = PackageOptimiser.Cheapest(ports, options);
                var expected = cheapest[ports];
                if (expected is null)
                {
                    if (plan is not null)
                    {
                        return false.Label($"{ports} ports: brute force finds no combination, the optimiser offers {Describe(plan.Licenses)}");
                    }

                    continue;
                }

                if (plan is null)
                {
                    return false.Label($"{ports} ports: the optimiser finds nothing, brute force {expected}");
                }

                var valid = plan.Licenses.Sum(l => options.Single(o => o.Code == l.Key).Ports * l.Value) == ports
                    && plan.Licenses.All(l => l.Value > 0 && l.Value <= options.Single(o => o.Code == l.Key).Available)
                    && plan.SscPerYear == plan.Licenses.Sum(l => (long)options.Single(o => o.Code == l.Key).SscPerYear * l.Value)
                    && plan.Lots == plan.Licenses.Count
                    && plan.Ports == ports;
                if (!valid || (plan.SscPerYear, plan.Lots) != expected.Value)
                {
                    return false.Label($"{ports} ports: optimiser {Describe(plan.Licenses)} = ({plan.SscPerYear} SSC, {plan.Lots} lots), brute force {expected}");
                }
            }

            return true.ToProperty();
        });

    [Fact]
    public void R_L3_bigger_packages_are_cheaper_per_port_so_137_ports_take_one_of_each_size_plus_ones()
    {
        var plan = PackageOptimiser.Cheapest(137, OptionsFor([100, 100, 100, 100]));

        Assert.NotNull(plan);
        Assert.Equal(new Dictionary<string, int> { ["PBX-Port8"] = 2, ["PBX-Port8*100"] = 1, ["PBX-Port8*20"] = 1, ["PBX-Port8*5"] = 3 }, plan.Licenses);
        Assert.Equal((2 * 3) + 250 + 54 + (3 * 14), plan.SscPerYear);
        Assert.Equal(4, plan.Lots);
    }

    [Fact]
    public void R_L3_the_balance_limits_the_plan_and_an_uncoverable_total_has_none()
    {
        // No 100-port package in the balance: five 20s instead.
        var plan = PackageOptimiser.Cheapest(100, OptionsFor([0, 0, 5, 0]));
        Assert.Equal(new Dictionary<string, int> { ["PBX-Port8*20"] = 5 }, plan!.Licenses);

        Assert.Null(PackageOptimiser.Cheapest(101, OptionsFor([0, 0, 5, 0])));
        Assert.Null(PackageOptimiser.Cheapest(7, OptionsFor([0, 0, 0, 0])));
    }

    [Fact]
    public void R_L3_packages_are_V8_and_later_and_caps_limit_them()
    {
        Assert.Empty(PackageOptimiser.Options(Catalog.Default, "V7", new Dictionary<string, int> { ["PBX-Port8*20"] = 3 }));

        var capped = PackageOptimiser.Options(Catalog.Default, "V8", new Dictionary<string, int> { ["PBX-Port8*20"] = 3, ["PBX-Port8"] = 9 }, new Dictionary<string, int> { ["PBX-Port8*20"] = 1 });
        Assert.Equal([new PackageOption("PBX-Port8*20", 20, 54, 1)], capped);
    }

    /// <summary>Every combination within the balance up to <see cref="MaxPorts"/> ports: the cheapest (SSC, lots) per total.</summary>
    private static (long Ssc, int Lots)?[] BruteForce(ImmutableArray<PackageOption> options)
    {
        var best = new (long Ssc, int Lots)?[MaxPorts + 1];
        Visit(0, 0, 0L, 0);
        return best;

        void Visit(int index, int ports, long ssc, int lots)
        {
            if (index == options.Length)
            {
                if (ports > 0 && (best[ports] is not { } known || (ssc, lots).CompareTo(known) < 0))
                {
                    best[ports] = (ssc, lots);
                }

                return;
            }

            var option = options[index];
            for (var count = 0; count <= option.Available && ports + (count * option.Ports) <= MaxPorts; count++)
            {
                Visit(index + 1, ports + (count * option.Ports), ssc + ((long)count * option.SscPerYear), lots + (count > 0 ? 1 : 0));
            }
        }
    }

    private static string Describe(IReadOnlyDictionary<string, int> licenses) =>
        string.Join(", ", licenses.Select(l => $"{l.Value}×{l.Key}"));
}
