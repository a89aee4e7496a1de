using Orleans.Concurrency;

namespace OrleansLicensing.Contracts;

/// <summary>
/// A device's test mode (R-L9), keyed by the device's canonical MAC: on for eight hours of the
/// licensing clock, switched off by a persisted reminder (so it ends also when the node restarted
/// meanwhile) or by hand. Every change is pushed to the device grain, whose poll answer carries
/// <c>testModeUntil</c> (R-C3). Every change records a history event in the device's company
/// (<c>TestModeOn</c>, <c>TestModeOff</c>).
/// </summary>
public interface IDeviceTestModeGrain : IGrainWithStringKey
{
    /// <summary>Switches test mode on for eight hours from now; on again restarts the eight hours.</summary>
    Task<DeviceTestMode> SwitchOnAsync();

    /// <summary>Switches test mode off (nothing changes when it is off).</summary>
    Task<DeviceTestMode> SwitchOffAsync();

    /// <summary>The current test mode; interleaves, so a device activated by a push can read it.</summary>
    [AlwaysInterleave]
    Task<DeviceTestMode> GetAsync();
}

/// <summary>
/// A device's test mode: on until <see cref="Until"/> (null: off). <see cref="Revision"/> counts the
/// changes, so a device that receives two states keeps the later one.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record DeviceTestMode(
    [property: Id(0)] DateTimeOffset? Until,
    [property: Id(1)] long Revision)
{
    /// <summary>How long test mode lasts once switched on (R-L9).</summary>
    public static readonly TimeSpan Duration = TimeSpan.FromHours(8);

    public static readonly DeviceTestMode Off = new(null, 0);
}
