using System.Collections.Immutable;

namespace OrleansLicensing.Contracts;

/// <summary>A PBX port package the balance offers: its ports per unit, its SSC per unit and year, and how many units may be used.</summary>
public sealed record PackageOption(string Code, int Ports, int SscPerYear, int Available);

/// <summary>A combination of port packages: units per package type, the ports they give, their yearly SSC and the number of lots (types used).</summary>
public sealed record PackagePlan(ImmutableSortedDictionary<string, int> Licenses, int Ports, long SscPerYear, int Lots);

/// <summary>
/// R-L3: the cheapest combination of PBX port packages that gives exactly the wished number of
/// ports from what the balance can cover — fewest SSC per year first, then fewest lots (package
/// types used), then the fewest units. A pure function over the options, so the API can offer it
/// as a preview the caller changes before binding.
/// </summary>
/// <remarks>
/// Dynamic programming over the exact port total: every package type but the smallest is a layer
/// (for each reachable total, each count of that type), and the smallest closes the total
/// directly, so a 1-port package costs no layer. With the catalog's four V8 packages and a few
/// thousand ports that is a few million steps.
/// </remarks>
public static class PackageOptimiser
{
    /// <summary>
    /// The V8+ port packages of <paramref name="catalog"/> usable at <paramref name="version"/>, each with
    /// what <paramref name="available"/> holds of it, limited by <paramref name="caps"/> (e.g. a device type's
    /// maximum less what the device already has) where a cap is given.
    /// </summary>
    public static ImmutableArray<PackageOption> Options(
        Catalog catalog,
        string version,
        IReadOnlyDictionary<string, int> available,
        IReadOnlyDictionary<string, int>? caps = null)
    {
        var release = catalog.GetVersion(version);
        var options = ImmutableArray.CreateBuilder<PackageOption>();
        foreach (var type in catalog.LicenseTypes)
        {
            if (type.Category != LicenseCategory.PbxPackage || type.Ports <= 0 || !Offered(catalog, type, release))
            {
                continue;
            }

            var units = available.TryGetValue(type.Code, out var held) ? held : 0;
            if (caps is not null)
            {
                units = Math.Min(units, caps.TryGetValue(type.Code, out var cap) ? cap : 0);
            }

            if (units > 0)
            {
                options.Add(new PackageOption(type.Code, type.Ports, type.SscPerUnitPerYear, units));
            }
        }

        return options.ToImmutable();
    }

    /// <summary>The cheapest plan for exactly <paramref name="wishedPorts"/> ports, or <c>null</c> when the options cannot make that total.</summary>
    public static PackagePlan? Cheapest(int wishedPorts, IReadOnlyList<PackageOption> options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(wishedPorts, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(wishedPorts, InputLimits.Units.WishedPorts);
        var usable = options.Where(o => o.Ports > 0 && o.Available > 0).ToList();
        if (usable.Count == 0)
        {
            return null;
        }

        // The smallest package closes the total; the others are layers.
        var closer = usable.OrderBy(o => o.Ports).ThenBy(o => o.Code, StringComparer.Ordinal).First();
        var layers = usable.Where(o => !ReferenceEquals(o, closer)).OrderByDescending(o => o.Ports).ThenBy(o => o.Code, StringComparer.Ordinal).ToList();

        var size = wishedPorts + 1;
        var best = new Cost[size];
        Array.Fill(best, Cost.Unreachable);
        best[0] = Cost.Zero;
        var choices = new int[layers.Count][];
        for (var layer = 0; layer < layers.Count; layer++)
        {
            var option = layers[layer];
            var next = new Cost[size];
            Array.Fill(next, Cost.Unreachable);
            var choice = new int[size];
            for (var reached = 0; reached < size; reached++)
            {
                var from = best[reached];
                if (from.IsUnreachable)
                {
                    continue;
                }

                var most = Math.Min(option.Available, (wishedPorts - reached) / option.Ports);
                for (var count = 0; count <= most; count++)
                {
                    var total = reached + (count * option.Ports);
                    var cost = from.Add(count, option.SscPerYear);
                    if (cost.IsBetterThan(next[total]))
                    {
                        next[total] = cost;
                        choice[total] = count;
                    }
                }
            }

            best = next;
            choices[layer] = choice;
        }

        var (bestCost, bestReached, closing) = (Cost.Unreachable, -1, 0);
        for (var reached = 0; reached < size; reached++)
        {
            var rest = wishedPorts - reached;
            if (best[reached].IsUnreachable || rest % closer.Ports != 0 || rest / closer.Ports > closer.Available)
            {
                continue;
            }

            var cost = best[reached].Add(rest / closer.Ports, closer.SscPerYear);
            if (cost.IsBetterThan(bestCost))
            {
                (bestCost, bestReached, closing) = (cost, reached, rest / closer.Ports);
            }
        }

        if (bestReached < 0)
        {
            return null;
        }

        var licenses = ImmutableSortedDictionary.CreateBuilder<string, int>(StringComparer.Ordinal);
        if (closing > 0)
        {
            licenses[closer.Code] = closing;
        }

        for (int layer = layers.Count - 1, total = bestReached; layer >= 0; layer--)
        {
            var count = choices[layer][total];
            if (count > 0)
            {
                licenses[layers[layer].Code] = count;
            }

            total -= count * layers[layer].Ports;
        }

        return new PackagePlan(licenses.ToImmutable(), wishedPorts, bestCost.Ssc, bestCost.Lots);
    }

    private static bool Offered(Catalog catalog, LicenseType type, SoftwareVersion release) =>
        catalog.GetVersion(type.MinVersion).Number <= release.Number
        && (type.MaxVersion is null || release.Number <= catalog.GetVersion(type.MaxVersion).Number);

    /// <summary>The order of plans: SSC per year, then lots, then units.</summary>
    private readonly record struct Cost(long Ssc, int Lots, long Units)
    {
        public static readonly Cost Zero = new(0, 0, 0);
        public static readonly Cost Unreachable = new(long.MaxValue, int.MaxValue, long.MaxValue);

        public bool IsUnreachable => Ssc == long.MaxValue;

        public Cost Add(int count, int sscPerYear) =>
            count == 0 ? this : new Cost(Ssc + ((long)count * sscPerYear), Lots + 1, Units + count);

        public bool IsBetterThan(Cost other) =>
            Ssc != other.Ssc ? Ssc < other.Ssc : Lots != other.Lots ? Lots < other.Lots : Units < other.Units;
    }
}
