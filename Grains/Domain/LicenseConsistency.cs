using System.Collections.Immutable;
using OrleansLicensing.Contracts;

namespace OrleansLicensing.Grains.Domain;

/// <summary>
/// The per-device rules a set of lots must satisfy (R-L2): device-type maxima, the version
/// range of each type, and the PBX feature rules (voicemail and standby equal the PBX ports,
/// registrations at most the PBX ports). Violations are <c>ConsistencyViolation</c> naming the rule.
/// </summary>
public sealed class LicenseConsistency(Catalog catalog)
{

    /// <summary>
    /// Checks that <paramref name="lots"/> may all be bound to a device of <paramref name="deviceTypeCode"/>.
    /// The device-type maxima, warranty and floating rules look at every lot. The PBX rules look at
    /// one configuration: with a <paramref name="scope"/>, the lots of its version and — with
    /// countCurrent — the older ones, which then count as that version's (R-L2); without one, at
    /// every lot.
    /// </summary>
    public void Check(string deviceTypeCode, IReadOnlyCollection<LicenseLot> lots, ConsistencyScope? scope = null)
    {
        if (!catalog.TryGetDeviceType(deviceTypeCode, out var deviceType))
        {
            throw new LicensingException(ErrorCodes.UnknownDeviceType, $"Device type '{deviceTypeCode}' is not in the catalog.");
        }

        if (lots.FirstOrDefault(l => l.Units <= 0) is { } empty)
        {
            throw new LicensingException(ErrorCodes.InvalidUnits, $"A lot of {empty.Type} must hold at least one unit, not {empty.Units}.");
        }

        CheckWarranty(lots);
        CheckFloating(lots);
        var totals = LicenseMath.ToMap(lots.Select(l => KeyValuePair.Create(l.Type, l.Units)));
        foreach (var (code, units) in totals)
        {
            var type = catalog.TryGetLicenseType(code, out var t)
                ? t
                : throw new LicensingException(ErrorCodes.UnknownLicenseType, $"License type '{code}' is not in the catalog.");
            if (type.Category == LicenseCategory.Credit)
            {
                throw Violation("R-L2", $"{code} is a credit unit and cannot be bound to a device.");
            }

            var maximum = deviceType.Maxima.GetValueOrDefault(code);
            if (units > maximum)
            {
                throw Violation("R-L2", maximum == 0
                    ? $"{code} is not available for device type {deviceType.Code}."
                    : $"A {deviceType.Code} holds at most {maximum} {code}; this would make {units}.");
            }
        }

        var configuration = LicenseMath.ToMap(InConfiguration(lots, scope).Select(l => KeyValuePair.Create(l.Type, l.Units)));
        var pbxPorts = configuration.Sum(entry => catalog.TryGetLicenseType(entry.Key, out var t) && t.Category == LicenseCategory.PbxPackage ? (long)entry.Value * t.Ports : 0L);
        foreach (var (code, units) in configuration)
        {
            var type = catalog.TryGetLicenseType(code, out var t) ? t : null;
            switch (type?.PbxRule)
            {
                case PbxRule.EqualsPbxPorts when units != pbxPorts:
                    throw Violation("R-L2", $"{code} must equal the device's PBX ports ({pbxPorts}); this would make {units}.");
                case PbxRule.AtMostPbxPorts when units > pbxPorts:
                    throw Violation("R-L2", $"{code} may not exceed the device's PBX ports ({pbxPorts}); this would make {units}.");
            }
        }
    }

    /// <summary>Checks that each type may be bound in <paramref name="version"/> (VersionNotOffered otherwise).</summary>
    public void CheckVersion(string version, DateOnly today, IEnumerable<string> types)
    {
        var release = catalog.GetVersion(version);
        if (release.ReleaseDate > today)
        {
            throw new LicensingException(ErrorCodes.VersionNotOffered, $"{version} is not released yet.");
        }

        foreach (var code in types)
        {
            var type = catalog.TryGetLicenseType(code, out var t)
                ? t
                : throw new LicensingException(ErrorCodes.UnknownLicenseType, $"License type '{code}' is not in the catalog.");
            var min = catalog.GetVersion(type.MinVersion).Number;
            var max = type.MaxVersion is null ? int.MaxValue : catalog.GetVersion(type.MaxVersion).Number;
            if (release.Number < min || release.Number > max)
            {
                throw new LicensingException(ErrorCodes.VersionNotOffered, $"{code} is not offered in {version}.");
            }
        }
    }

    /// <summary>The lots of the configuration the PBX rules check (see <see cref="Check"/>).</summary>
    private IEnumerable<LicenseLot> InConfiguration(IReadOnlyCollection<LicenseLot> lots, ConsistencyScope? scope)
    {
        if (scope is null)
        {
            return lots;
        }

        var number = catalog.GetVersion(scope.Version).Number;
        return lots.Where(l =>
        {
            var lotNumber = catalog.TryGetVersion(l.Version, out var release) ? release.Number : number;
            return lotNumber == number || (scope.CountCurrent && lotNumber < number);
        });
    }

    /// <summary>R-L7: at most <see cref="WarrantyRules.MaxYears"/> years of warranty extension in total, of both warranty types together.</summary>
    private void CheckWarranty(IReadOnlyCollection<LicenseLot> lots)
    {
        var years = lots.Where(l => catalog.TryGetLicenseType(l.Type, out var t) && t.Category == LicenseCategory.Warranty).Sum(l => (long)l.Units);
        if (years > WarrantyRules.MaxYears)
        {
            throw new LicensingException(
                ErrorCodes.WarrantyLimitExceeded,
                $"A device takes at most {WarrantyRules.MaxYears} years of warranty extension in total; this would make {years}.",
                ImmutableDictionary<string, string[]>.Empty.Add("rule", ["R-L7"]));
        }
    }

    /// <summary>R-L6: a V7 floating license (slave PBX) and V7 PBX licenses exclude each other on one device.</summary>
    private void CheckFloating(IReadOnlyCollection<LicenseLot> lots)
    {
        var floating = lots.Select(l => catalog.TryGetLicenseType(l.Type, out var t) ? t : null).FirstOrDefault(t => t is { Floating: true });
        if (floating is null)
        {
            return;
        }

        // The floating license's own version (V7) is the one whose PBX licenses it excludes.
        var pbx = lots.FirstOrDefault(l => l.Version == floating.MinVersion
            && catalog.TryGetLicenseType(l.Type, out var t) && !t.Floating && t.Category is LicenseCategory.PbxPackage or LicenseCategory.PbxFeature);
        if (pbx is not null)
        {
            throw new LicensingException(
                ErrorCodes.FloatingLicenseConflict,
                $"A device with the V7 floating license {floating.Code} cannot hold V7 PBX licenses ({pbx.Type}), and vice versa.",
                ImmutableDictionary<string, string[]>.Empty.Add("rule", ["R-L6"]));
        }
    }

    private static LicensingException Violation(string rule, string message) =>
        new(ErrorCodes.ConsistencyViolation, message, ImmutableDictionary<string, string[]>.Empty.Add("rule", [rule]));
}
