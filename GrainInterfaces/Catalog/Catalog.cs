using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansLicensing.Contracts;

public enum LicenseCategory
{
    PbxPackage,
    PbxFeature,
    Gateway,
    Warranty,
    Credit,
}

public enum PbxRule
{
    None,
    EqualsPbxPorts,
    AtMostPbxPorts,
}

public sealed record SoftwareVersion(string Version, DateOnly ReleaseDate, string Source)
{
    /// <summary>The number in <c>V8</c>, used to order versions.</summary>
    [JsonIgnore]
    public int Number => int.Parse(Version.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture);
}

public sealed record LicenseType(
    string Code,
    LicenseCategory Category,
    int SscPerUnitPerYear,
    string MinVersion,
    string? MaxVersion,
    string Description,
    string Source,
    int Ports = 0,
    PbxRule PbxRule = PbxRule.None,
    bool ExternalKey = false,
    bool Floating = false);

public sealed record DeviceType(string Code, string Description, string Source, ImmutableSortedDictionary<string, int> Maxima);

/// <summary>
/// License types, device types and software versions (SPEC §5, R-V1), read from the data file
/// <c>catalog.json</c> shipped in this assembly.
/// </summary>
public sealed class Catalog
{
    /// <summary>The largest amount one request may name for one type; keeps sums far from overflow.</summary>
    public const int MaxUnitsPerEntry = InputLimits.Units.PerEntry;

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    private static readonly Lazy<Catalog> Shipped = new(LoadShipped);

    private readonly FrozenDictionary<string, LicenseType> _licenseTypes;
    private readonly FrozenDictionary<string, DeviceType> _deviceTypes;
    private readonly FrozenDictionary<string, SoftwareVersion> _versions;

    private Catalog(CatalogFile file)
    {
        Versions = [.. file.Versions.OrderBy(v => v.Number)];
        LicenseTypes = [.. file.LicenseTypes];
        DeviceTypes = [.. file.DeviceTypes];
        _licenseTypes = LicenseTypes.ToFrozenDictionary(t => t.Code, StringComparer.Ordinal);
        _deviceTypes = DeviceTypes.ToFrozenDictionary(t => t.Code, StringComparer.Ordinal);
        _versions = Versions.ToFrozenDictionary(v => v.Version, StringComparer.Ordinal);

        foreach (var deviceType in DeviceTypes)
        {
            foreach (var type in deviceType.Maxima.Keys)
            {
                if (!_licenseTypes.ContainsKey(type))
                {
                    throw new InvalidDataException($"Device type {deviceType.Code} names unknown license type {type}.");
                }
            }
        }
    }

    /// <summary>The catalog shipped with this build.</summary>
    public static Catalog Default => Shipped.Value;

    public ImmutableArray<SoftwareVersion> Versions { get; }

    public ImmutableArray<LicenseType> LicenseTypes { get; }

    public ImmutableArray<DeviceType> DeviceTypes { get; }

    public static Catalog Load(Stream json) =>
        new(JsonSerializer.Deserialize<CatalogFile>(json, JsonOptions) ?? throw new InvalidDataException("The catalog file is empty."));

    public bool TryGetLicenseType(string code, out LicenseType type) => _licenseTypes.TryGetValue(code, out type!);

    public bool TryGetDeviceType(string code, out DeviceType type) => _deviceTypes.TryGetValue(code, out type!);

    public bool TryGetVersion(string version, out SoftwareVersion release) => _versions.TryGetValue(version, out release!);

    public SoftwareVersion GetVersion(string version) =>
        TryGetVersion(version, out var release)
            ? release
            : throw new LicensingException(ErrorCodes.VersionNotOffered, $"Version '{version}' is not in the catalog; known versions are {string.Join(", ", Versions.Select(v => v.Version))}.");

    /// <summary>The newest version released on or before <paramref name="day"/> (R-V1).</summary>
    public SoftwareVersion CurrentVersion(DateOnly day)
    {
        SoftwareVersion? current = null;
        foreach (var version in Versions)
        {
            if (version.ReleaseDate <= day)
            {
                current = version;
            }
        }

        return current ?? Versions[0];
    }

    /// <summary>The version released after <paramref name="version"/>, or <c>null</c> for the newest.</summary>
    public SoftwareVersion? NextVersion(SoftwareVersion version)
    {
        var index = Versions.IndexOf(version);
        return index >= 0 && index + 1 < Versions.Length ? Versions[index + 1] : null;
    }

    /// <summary>
    /// Checks a license map from a request: every type known, every amount positive.
    /// Throws <c>UnknownLicenseType</c> or <c>InvalidUnits</c>.
    /// </summary>
    public ImmutableSortedDictionary<string, int> ValidateLicenseMap(IReadOnlyDictionary<string, int>? licenses, bool allowNegative = false)
    {
        if (licenses is null || licenses.Count == 0)
        {
            throw LicensingException.Validation("'licenses' must name at least one license type.");
        }

        var builder = ImmutableSortedDictionary.CreateBuilder<string, int>(StringComparer.Ordinal);
        foreach (var (code, units) in licenses)
        {
            if (!_licenseTypes.ContainsKey(code))
            {
                throw new LicensingException(ErrorCodes.UnknownLicenseType, $"License type '{code}' is not in the catalog.");
            }

            if (units == 0 || (units < 0 && !allowNegative))
            {
                throw new LicensingException(ErrorCodes.InvalidUnits, $"Units for '{code}' must be a positive whole number, not {units}.");
            }

            if (Math.Abs((long)units) > MaxUnitsPerEntry)
            {
                throw new LicensingException(ErrorCodes.InvalidUnits, $"Units for '{code}' must not exceed {MaxUnitsPerEntry}.");
            }

            builder[code] = units;
        }

        return builder.ToImmutable();
    }

    private static Catalog LoadShipped()
    {
        using var stream = typeof(Catalog).Assembly.GetManifestResourceStream("OrleansLicensing.catalog.json")
            ?? throw new InvalidOperationException("The catalog resource is missing from the assembly.");
        return Load(stream);
    }

    private sealed record CatalogFile(
        ImmutableArray<SoftwareVersion> Versions,
        ImmutableArray<LicenseType> LicenseTypes,
        ImmutableArray<DeviceType> DeviceTypes);
}
