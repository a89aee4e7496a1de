using Orleans.Concurrency;

namespace OrleansLicensing.Contracts;

/// <summary>
/// A device's one test license (R-L8), keyed by the device's canonical MAC: a version, slave or
/// not, and PBX units; no balance is used and nothing is minted, so the conservation audit never
/// sees it. It is valid for three calendar months of the licensing clock from its first download;
/// a download within them answers the license issued first. A persisted reminder ends it (also
/// after a restart) and pushes the end to the device grain, whose poll answer then no longer
/// carries it; from then on a request is refused with <see cref="ErrorCodes.TestLicenseUsed"/>.
/// </summary>
public interface IDeviceTestLicenseGrain : IGrainWithStringKey
{
    /// <summary>The first download issues the license and starts its three months; a later one within them returns it unchanged.</summary>
    Task<DeviceTestLicense> DownloadAsync(TestLicenseRequest request);

    /// <summary>The license issued, valid or expired; null when none was ever issued. Interleaves so the device grain can read it while activating.</summary>
    [AlwaysInterleave]
    Task<DeviceTestLicense?> GetAsync();
}

/// <param name="PbxUnits">PBX units for a device that is not a slave; null for a slave (it licenses no PBX of its own).</param>
[GenerateSerializer, Immutable]
public sealed record TestLicenseRequest(
    [property: Id(0)] string Version,
    [property: Id(1)] bool Slave,
    [property: Id(2)] int? PbxUnits);

/// <summary>
/// A device's test license (R-L8): what was asked, when it was first downloaded and until when it
/// is valid. <see cref="Revision"/> counts the changes (issue, expiry) so that a device grain that
/// receives two states keeps the later one.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record DeviceTestLicense(
    [property: Id(0)] TestLicenseRequest License,
    [property: Id(1)] DateTimeOffset FirstDownloadAt,
    [property: Id(2)] DateTimeOffset ValidUntil,
    [property: Id(3)] bool Expired,
    [property: Id(4)] long Revision)
{
    /// <summary>How long a test license is valid after its first download (R-L8).</summary>
    public const int ValidMonths = 3;
}
