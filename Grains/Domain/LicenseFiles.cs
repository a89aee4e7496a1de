using System.Collections.Immutable;
using OrleansLicensing.Contracts;

namespace OrleansLicensing.Grains.Domain;

/// <summary>
/// Which versions a device's license file is offered in (R-V3) and what a file of one version
/// contains (R-V1's type mapping). Pure: the device grain applies it under its lock.
/// </summary>
public static class LicenseFiles
{
    /// <summary>R-V3: no file below V6.</summary>
    public const int LowestVersion = 6;

    /// <summary>R-V3: no file below V8 once the device has <c>NoDowngrade</c>; also the first version files can be encrypted for (R-V2).</summary>
    public const int FirstEncryptedVersion = 8;

    /// <summary>
    /// The highest version a lot may be downloaded in: its own version, or, under an SSA, the
    /// newest version released before its SSA end date (R-V3), whichever is higher.
    /// </summary>
    public static SoftwareVersion HighestVersion(Catalog catalog, LicenseLot lot)
    {
        var own = catalog.GetVersion(lot.Version);
        if (lot.SsaEndDate is not { } ssaEnd)
        {
            return own;
        }

        var underSsa = catalog.Versions.LastOrDefault(v => v.ReleaseDate < ssaEnd);
        return underSsa is not null && underSsa.Number > own.Number ? underSsa : own;
    }

    /// <summary>
    /// The versions a file may be downloaded in, oldest first: released by <paramref name="today"/>,
    /// not below V6 (V8 with <paramref name="noDowngrade"/>), and not above the highest version of
    /// the device's licenses (warranty extensions, valid in every version, do not count). A device
    /// without other licenses is offered every released version from that floor.
    /// </summary>
    public static ImmutableArray<SoftwareVersion> OfferedVersions(Catalog catalog, IReadOnlyList<LicenseLot> lots, bool noDowngrade, DateOnly today)
    {
        var floor = noDowngrade ? FirstEncryptedVersion : LowestVersion;
        var counted = lots.Where(lot => !IsWarranty(catalog, lot)).ToList();
        var ceiling = counted.Count == 0
            ? catalog.CurrentVersion(today).Number
            : counted.Max(lot => HighestVersion(catalog, lot).Number);
        return [.. catalog.Versions.Where(v => v.Number >= floor && v.Number <= ceiling && v.ReleaseDate <= today)];
    }

    /// <summary>Throws <see cref="ErrorCodes.VersionNotOffered"/> unless <paramref name="version"/> is offered.</summary>
    public static SoftwareVersion CheckOffered(Catalog catalog, IReadOnlyList<LicenseLot> lots, bool noDowngrade, string version, DateOnly today)
    {
        var offered = OfferedVersions(catalog, lots, noDowngrade, today);
        var wanted = catalog.GetVersion(version);
        if (!offered.Contains(wanted))
        {
            var reason = wanted.Number < LowestVersion ? "files are offered down to V6, not below"
                : noDowngrade && wanted.Number < FirstEncryptedVersion ? "the device has NoDowngrade (V5–V7 licenses were returned), so no file below V8"
                : wanted.ReleaseDate > today ? $"{version} is not released yet"
                : "the device's licenses (and their SSA) do not reach that version";
            throw new LicensingException(ErrorCodes.VersionNotOffered,
                $"{version} is not offered for this device: {reason}. Offered: {(offered.IsEmpty ? "none" : string.Join(", ", offered.Select(v => v.Version)))}.");
        }

        return wanted;
    }

    /// <summary>
    /// The lots of a file of <paramref name="version"/>, each with the id of the device lot it
    /// comes from: every lot whose highest version reaches it (warranty extensions always),
    /// with its type mapped to the version (<see cref="MapType"/>); lots that map to nothing are left out.
    /// </summary>
    public static ImmutableArray<LicenseLot> LotsFor(Catalog catalog, IReadOnlyList<LicenseLot> lots, SoftwareVersion version) =>
        [.. lots
            .Where(lot => IsWarranty(catalog, lot) || HighestVersion(catalog, lot).Number >= version.Number)
            .Select(lot => MapType(catalog, lot, version))
            .OfType<LicenseLot>()];

    /// <summary>
    /// R-V1's mapping of a lot's type to another version. A type valid in the version stays. A
    /// PBX package that is not (a V7 <c>PBX-PBX7#15</c> in V8, a V8 port package in V7) becomes
    /// the package of that version that expresses its PBX ports exactly, the largest such; if
    /// none does, the smallest package of that version, rounded down (a file never licenses
    /// more ports than were bought). Other types outside their version range map to nothing.
    /// </summary>
    public static LicenseLot? MapType(Catalog catalog, LicenseLot lot, SoftwareVersion version)
    {
        if (!catalog.TryGetLicenseType(lot.Type, out var type))
        {
            return null;
        }

        if (IsValidIn(catalog, type, version))
        {
            return lot with { Version = version.Version };
        }

        if (type.Category != LicenseCategory.PbxPackage || type.Ports <= 0)
        {
            return null;
        }

        var ports = (long)lot.Units * type.Ports;
        var packages = catalog.LicenseTypes
            .Where(t => t.Category == LicenseCategory.PbxPackage && t.Ports > 0 && IsValidIn(catalog, t, version))
            .OrderByDescending(t => t.Ports)
            .ToList();
        if (packages.Count == 0)
        {
            return null;
        }

        var exact = packages.FirstOrDefault(t => ports % t.Ports == 0);
        var target = exact ?? packages[^1];
        var units = (int)(ports / target.Ports);
        return units == 0 ? null : lot with { Type = target.Code, Units = units, Version = version.Version };
    }

    private static bool IsValidIn(Catalog catalog, LicenseType type, SoftwareVersion version) =>
        catalog.GetVersion(type.MinVersion).Number <= version.Number
        && (type.MaxVersion is null || catalog.GetVersion(type.MaxVersion).Number >= version.Number);

    public static bool IsWarranty(Catalog catalog, LicenseLot lot) =>
        catalog.TryGetLicenseType(lot.Type, out var type) && type.Category == LicenseCategory.Warranty;

    public static bool IsPbx(Catalog catalog, LicenseLot lot) =>
        catalog.TryGetLicenseType(lot.Type, out var type) && type.Category is LicenseCategory.PbxPackage or LicenseCategory.PbxFeature;
}
