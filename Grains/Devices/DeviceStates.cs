using System.Collections.Immutable;
using OrleansLicensing.Contracts;

namespace OrleansLicensing.Grains.State;

[GenerateSerializer]
public sealed class DeviceState
{
    /// <summary>
    /// The device's company and project as stored before membership became transactional
    /// (<see cref="DeviceLotsState.Membership"/>); read only for a device whose membership has
    /// not changed since, never written.
    /// </summary>
    [Id(0)] public string? CompanyId { get; set; }

    /// <summary>See <see cref="CompanyId"/>.</summary>
    [Id(1)] public string? ProjectId { get; set; }

    [Id(2)] public string? Name { get; set; }
    [Id(3)] public string? Comment { get; set; }
}

/// <summary>The lots bound to a device (R-L1) and its membership; changed only inside transactions.</summary>
[GenerateSerializer]
public sealed class DeviceLotsState
{
    [Id(0)] public ImmutableArray<LicenseLot> Lots { get; set; } = [];

    /// <summary>Set when the device's licenses were moved to another device (R-L5).</summary>
    [Id(1)] public bool Rma { get; set; }

    /// <summary>
    /// The company and project the device is in (R-D2), kept under the same lock as the lots so
    /// that a unit move checks it serializably. Null for devices stored before it was kept here:
    /// their membership is the one in <see cref="DeviceState"/> until it first changes.
    /// </summary>
    [Id(2)] public DeviceMembership? Membership { get; set; }

    /// <summary>
    /// Counts the writes: every transaction that writes this state adds one, so of two committed
    /// states the later has the higher revision. The poll answer never goes back to a lower one.
    /// </summary>
    [Id(3)] public long Revision { get; set; }

    /// <summary>R-V3: files are no longer offered below V8 (set by an invalidation that returned V5–V7 licenses with consent).</summary>
    [Id(4)] public bool NoDowngrade { get; set; }

    /// <summary>
    /// R-V4: the lots a user downloaded unencrypted, by lot id, with the highest version number
    /// they were downloaded in so. Such a lot is not returnable, unless every such file was V5–V7
    /// and the invalidation consents to NoDowngrade (which makes those files useless on the device).
    /// </summary>
    [Id(5)] public ImmutableSortedDictionary<string, int> NotReturnable { get; set; } = ImmutableSortedDictionary<string, int>.Empty;

    /// <summary>R-V5: the highest invalidation sequence accepted; a document with one not above it is a replay.</summary>
    [Id(6)] public long InvalidationSequence { get; set; }

    /// <summary>R-V5: the last accepted invalidation, for its confirmation file.</summary>
    [Id(7)] public DeviceInvalidation? LastInvalidation { get; set; }
}

/// <param name="ReleasedBy">
/// For a device in no company: the company that removed it from its project (R-D5), which may add
/// it again without proof of possession; every other company needs the device's secret (R-D2).
/// </param>
[GenerateSerializer, Immutable]
public sealed record DeviceMembership(
    [property: Id(0)] string? CompanyId,
    [property: Id(1)] string? ProjectId,
    [property: Id(2)] string? ReleasedBy = null)
{
    public static readonly DeviceMembership None = new(null, null);
}

/// <summary>A device's test mode (R-L9): on until <see cref="Until"/>, off when null.</summary>
[GenerateSerializer]
public sealed class DeviceTestModeState
{
    [Id(0)] public DateTimeOffset? Until { get; set; }

    /// <summary>Counts the changes; the device grain keeps the state with the highest.</summary>
    [Id(1)] public long Revision { get; set; }
}

/// <summary>The device certificate keys requested after the hardware registration, oldest first (R-V5).</summary>
[GenerateSerializer]
public sealed class DeviceCertificatesState
{
    [Id(0)] public ImmutableArray<DeviceCertificateKey> Requested { get; set; } = [];
}

/// <summary>A device's test license (R-L8); <see cref="License"/> is null until the first download.</summary>
[GenerateSerializer]
public sealed class DeviceTestLicenseState
{
    [Id(0)] public TestLicenseRequest? License { get; set; }

    [Id(1)] public DateTimeOffset FirstDownloadAt { get; set; }

    [Id(2)] public DateTimeOffset ValidUntil { get; set; }

    [Id(3)] public bool Expired { get; set; }

    /// <summary>Counts the changes; the device grain keeps the state with the highest.</summary>
    [Id(4)] public long Revision { get; set; }
}
