using System.Security.Cryptography;

namespace OrleansLicensing.Grains;

/// <summary>
/// The cluster's ECDSA P-256 key that signs license files (R-V2). The host decides where it
/// comes from (configuration, the data directory, or a fresh key in tests).
/// </summary>
public sealed class LicenseSigningKey(ECDsa key) : IDisposable
{
    public ECDsa Key { get; } = key;

    /// <summary>The public half, as PEM (SubjectPublicKeyInfo), for <c>/api/v1/catalog/signing-key</c>.</summary>
    public string PublicKeyPem => Key.ExportSubjectPublicKeyInfoPem();

    public static LicenseSigningKey CreateEphemeral() => new(ECDsa.Create(ECCurve.NamedCurves.nistP256));

    public void Dispose() => Key.Dispose();
}
