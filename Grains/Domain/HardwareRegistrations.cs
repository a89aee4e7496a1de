using OrleansLicensing.Contracts;

namespace OrleansLicensing.Grains.Domain;

/// <summary>Rules of the vendor's hardware registry (R-D1).</summary>
public static class HardwareRegistrations
{
    /// <summary>
    /// True when <paramref name="requested"/> repeats the <paramref name="existing"/> registration
    /// with the secret it was made with: an idempotent retry, answered as the first time.
    /// </summary>
    public static bool IsReplay(HardwareRegistration existing, HardwareRegistration requested, string? secret, byte[] secretHash) =>
        secret is not null && existing == requested && Codes.SecretMatches(secret, secretHash);
}
