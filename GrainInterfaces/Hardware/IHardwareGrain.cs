namespace OrleansLicensing.Contracts;

/// <summary>The vendor's registry entry for one shipped device, keyed by canonical MAC (R-D1).</summary>
public interface IHardwareGrain : IGrainWithStringKey
{
    /// <summary>
    /// Registers the device and returns its secret (shown once). With <paramref name="secret"/>
    /// (derived from an idempotent request) that secret is used, and repeating the same
    /// registration with the same secret answers it again instead of
    /// <see cref="ErrorCodes.HardwareAlreadyRegistered"/>.
    /// </summary>
    Task<string> RegisterAsync(HardwareRegistration registration, string? secret = null);

    /// <summary>The registration, or <c>null</c> when the vendor never shipped this MAC.</summary>
    Task<HardwareView?> GetAsync();
}
