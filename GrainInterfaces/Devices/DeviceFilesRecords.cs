using System.Collections.Immutable;

namespace OrleansLicensing.Contracts;

/// <summary>A license file as downloaded by a user (R-V2..R-V4).</summary>
/// <param name="Lots">The lots the file licenses, types mapped to <paramref name="Version"/>; <c>LotId</c> names the device lot each comes from.</param>
/// <param name="MarkedNotReturnable">The lot ids this (unencrypted) download marked as not returnable (R-V4); empty for an encrypted one.</param>
/// <param name="Document">The signed XML, or for an encrypted file the <c>encryptedLicense</c> envelope around it.</param>
[GenerateSerializer, Immutable]
public sealed record LicenseFile(
    [property: Id(0)] string Mac,
    [property: Id(1)] string? ProjectId,
    [property: Id(2)] string Version,
    [property: Id(3)] bool Encrypted,
    [property: Id(4)] ImmutableArray<LicenseLot> Lots,
    [property: Id(5)] ImmutableArray<string> MarkedNotReturnable,
    [property: Id(6)] string Document);

/// <summary>
/// What a verified invalidation document asks for (R-V5): the device's PBX lots, or the named
/// ones; its sequence number, higher than every one accepted before (replay protection); and
/// whether the device consents to <c>NoDowngrade</c>.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record InvalidationClaim(
    [property: Id(0)] string Mac,
    [property: Id(1)] long Sequence,
    [property: Id(2)] bool AllPbx,
    [property: Id(3)] ImmutableArray<string> LotIds,
    [property: Id(4)] bool ConsentNoDowngrade,
    [property: Id(5)] string DocumentSha256);

/// <summary>An accepted invalidation, kept with the device so its confirmation file can be downloaded again.</summary>
[GenerateSerializer, Immutable]
public sealed record DeviceInvalidation(
    [property: Id(0)] long Sequence,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] string? ProjectId,
    [property: Id(3)] ImmutableArray<LicenseLot> Returned,
    [property: Id(4)] bool NoDowngrade,
    [property: Id(5)] string DocumentSha256);

/// <summary>The invalidation and its signed confirmation file (to be uploaded on the device).</summary>
[GenerateSerializer, Immutable]
public sealed record InvalidationResult(
    [property: Id(0)] string Mac,
    [property: Id(1)] DeviceInvalidation Invalidation,
    [property: Id(2)] string Confirmation);

/// <summary>One public key of a device certificate, as registered (R-V5, "Request certificate").</summary>
[GenerateSerializer, Immutable]
public sealed record DeviceCertificateKey(
    [property: Id(0)] string PublicKeyPem,
    [property: Id(1)] DateTimeOffset? RegisteredAt,
    [property: Id(2)] string Source,
    [property: Id(3)] string? RequestedBy);

/// <summary>A device's certificate keys, oldest first; the last one is current (none: the device has no certificate).</summary>
[GenerateSerializer, Immutable]
public sealed record DeviceCertificates(
    [property: Id(0)] string Mac,
    [property: Id(1)] ImmutableArray<DeviceCertificateKey> Keys)
{
    public DeviceCertificateKey? Current => Keys.IsDefaultOrEmpty ? null : Keys[^1];
}

/// <summary>Where a device certificate key came from.</summary>
public static class CertificateSources
{
    /// <summary>Registered by the vendor with the hardware (R-D1).</summary>
    public const string Hardware = "Hardware";

    /// <summary>Registered by a user holding the right RequestCertificate.</summary>
    public const string Requested = "Requested";
}

/// <summary>
/// A device's certificate keys (R-V5): the one registered with the hardware and every one
/// requested since; the newest verifies invalidation documents. Keyed by canonical MAC.
/// </summary>
public interface IDeviceCertificateGrain : IGrainWithStringKey
{
    Task<DeviceCertificates> GetAsync();

    /// <summary>Registers a new public key (a P-256 SubjectPublicKeyInfo, PEM or base64 DER), keeping the earlier ones.</summary>
    Task<DeviceCertificates> RequestAsync(string publicKeyPem, string requestedBy);
}
