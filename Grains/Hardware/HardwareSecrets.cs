using OrleansLicensing.Contracts;

namespace OrleansLicensing.Grains;

/// <summary>
/// The silo's key for deriving device secrets of idempotent registrations (decision D18); the
/// host supplies it (configuration <c>Licensing:DeviceSecretKey</c>, the data directory, or a
/// fresh one per process in memory-only mode).
/// </summary>
public sealed class HardwareSecrets(byte[] key)
{
    public string DerivedSecret(string idempotencyScope, string mac) => Codes.DeviceSecretFor(key, idempotencyScope, mac);
}
