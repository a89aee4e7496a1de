using System.Collections.Immutable;

namespace OrleansLicensing.Contracts;

/// <summary>
/// Registers a vendor's batch of shipped devices (R-D1) all or nothing with respect to other
/// requests: every MAC is reserved (in MAC order) before the first is written, so of two
/// concurrent batches that share a MAC one wins and the other changes nothing (decision D6).
/// Stateless: runs next to the caller.
/// </summary>
public interface IHardwareRegistrarGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Registers the devices and returns their secrets. With <paramref name="idempotencyScope"/>
    /// the secrets are derived from it, so a retry answers the same ones (decision D18).
    /// </summary>
    Task<ImmutableArray<RegisteredHardware>> RegisterAsync(ImmutableArray<HardwareRegistration> devices, string? idempotencyScope);

    /// <summary>
    /// Registers each device that no one registered (or is registering) yet, with fresh secrets,
    /// and skips the others; the order index is written once per order number, not per device.
    /// Answers the MACs it registered. For the legacy import, which makes the hardware records
    /// the old device table implies for a whole batch at once.
    /// </summary>
    Task<ImmutableArray<string>> RegisterEachAsync(ImmutableArray<HardwareRegistration> devices);
}
