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
}
