using System.Collections.Immutable;

using OrleansLicensing.Contracts;

namespace OrleansLicensing.Grains.Domain;

/// <summary>Arithmetic on license maps (type → units); amounts never go negative (R-P5).</summary>
public static class LicenseMath
{
    /// <summary>The largest amount one request may name for one type; keeps sums far from overflow.</summary>
    public const int MaxUnitsPerEntry = Catalog.MaxUnitsPerEntry;

    public static readonly ImmutableSortedDictionary<string, int> Empty = ImmutableSortedDictionary.Create<string, int>(StringComparer.Ordinal);

    public static ImmutableSortedDictionary<string, int> Add(ImmutableSortedDictionary<string, int> left, IReadOnlyDictionary<string, int> right)
    {
        var builder = left.ToBuilder();
        foreach (var (type, units) in right)
        {
            var sum = checked(builder.GetValueOrDefault(type) + units);
            if (sum < 0)
            {
                throw new InvalidOperationException($"Adding {units} {type} would make the amount negative.");
            }

            if (sum == 0)
            {
                builder.Remove(type);
            }
            else
            {
                builder[type] = sum;
            }
        }

        return builder.ToImmutable();
    }

    public static ImmutableSortedDictionary<string, int> Subtract(ImmutableSortedDictionary<string, int> left, IReadOnlyDictionary<string, int> right)
    {
        var builder = left.ToBuilder();
        foreach (var (type, units) in right)
        {
            var rest = checked(builder.GetValueOrDefault(type) - units);
            if (units < 0 || rest < 0)
            {
                throw new InvalidOperationException($"Subtracting {units} {type} is not a debit that leaves a non-negative amount.");
            }

            if (rest == 0)
            {
                builder.Remove(type);
            }
            else
            {
                builder[type] = rest;
            }
        }

        return builder.ToImmutable();
    }

    /// <summary>For each wanted type, the part that <paramref name="available"/> can give.</summary>
    public static ImmutableSortedDictionary<string, int> Cover(ImmutableSortedDictionary<string, int> available, IReadOnlyDictionary<string, int> wanted)
    {
        var builder = ImmutableSortedDictionary.CreateBuilder<string, int>(StringComparer.Ordinal);
        foreach (var (type, units) in wanted)
        {
            var take = Math.Min(units, available.GetValueOrDefault(type));
            if (take > 0)
            {
                builder[type] = take;
            }
        }

        return builder.ToImmutable();
    }

    public static ImmutableSortedDictionary<string, int> ToMap(IEnumerable<KeyValuePair<string, int>> entries)
    {
        var builder = ImmutableSortedDictionary.CreateBuilder<string, int>(StringComparer.Ordinal);
        foreach (var (type, units) in entries)
        {
            builder[type] = checked(builder.GetValueOrDefault(type) + units);
        }

        return builder.ToImmutable();
    }
}
