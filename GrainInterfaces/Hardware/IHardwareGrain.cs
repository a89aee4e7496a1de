namespace OrleansLicensing.Contracts;

/// <summary>The vendor's registry entry for one shipped device, keyed by canonical MAC (R-D1).</summary>
public interface IHardwareGrain : IGrainWithStringKey
{
    /// <summary>
    /// Registers this one device (reserve and commit in one call) and returns its secret (shown
    /// once). With <paramref name="secret"/> (derived from an idempotent request) that secret is
    /// used, and repeating the same registration with the same secret answers it again instead
    /// of <see cref="ErrorCodes.HardwareAlreadyRegistered"/>.
    /// </summary>
    Task<string> RegisterAsync(HardwareRegistration registration, string? secret = null);

    /// <summary>
    /// First phase of a batch registration: holds this MAC for <paramref name="requestId"/> (in
    /// memory, for a short time) unless it is registered or held by another request.
    /// </summary>
    Task<HardwareReservation> ReserveAsync(Guid requestId, HardwareRegistration registration, string? secret);

    /// <summary>Second phase: writes the reserved registration and returns the device's secret.</summary>
    Task<string> CommitAsync(Guid requestId);

    /// <summary>Drops the reservation of <paramref name="requestId"/>, if it holds one.</summary>
    Task ReleaseAsync(Guid requestId);

    /// <summary>The registration, or <c>null</c> when the vendor never shipped this MAC.</summary>
    Task<HardwareView?> GetAsync();
}
