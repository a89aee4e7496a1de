using System.Collections.Immutable;
using System.Security.Cryptography;

namespace OrleansLicensing.Grains;

/// <summary>
/// The cluster's ECDSA P-256 key that signs license files (R-V2), with its key id, and the
/// public halves of the keys that signed before a rotation: those no longer sign, but stay
/// published so that files signed with them keep verifying. The host decides where the keys
/// come from (configuration, a secret file, the data directory, or a fresh key in tests).
/// </summary>
public sealed class LicenseSigningKey : IDisposable
{
    private readonly ImmutableArray<ECDsa> _previous;

    public LicenseSigningKey(ECDsa key, IEnumerable<ECDsa>? previous = null)
    {
        Key = key;
        KeyId = KeyIdOf(key);
        PublicKeyPem = key.ExportSubjectPublicKeyInfoPem();
        _previous = [.. (previous ?? []).Where(p => KeyIdOf(p) != KeyId).DistinctBy(KeyIdOf)];
        Published = [new(KeyId, PublicKeyPem, Current: true), .. _previous.Select(p => new PublishedSigningKey(KeyIdOf(p), p.ExportSubjectPublicKeyInfoPem(), Current: false))];
    }

    public ECDsa Key { get; }

    /// <summary>The current key's id, named in every document it signs (<see cref="KeyIdOf"/>).</summary>
    public string KeyId { get; }

    /// <summary>The public half, as PEM (SubjectPublicKeyInfo), for <c>/api/v1/catalog/signing-key</c>.</summary>
    public string PublicKeyPem { get; }

    /// <summary>The current key first, then the previous ones: id and public PEM each.</summary>
    public ImmutableArray<PublishedSigningKey> Published { get; }

    /// <summary>
    /// A key's id: <c>k</c> and the first 16 hex digits of the SHA-256 of its public key's DER
    /// SubjectPublicKeyInfo. Derived, never configured, so an id can never name the wrong key.
    /// </summary>
    public static string KeyIdOf(ECDsa key) =>
        "k" + Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()).AsSpan(0, 8));

    public static LicenseSigningKey CreateEphemeral() => new(ECDsa.Create(ECCurve.NamedCurves.nistP256));

    /// <summary>Reads a P-256 key (private or public) from PEM; refuses other curves.</summary>
    public static ECDsa FromPem(string pem, string what)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
        }
        catch (ArgumentException e)
        {
            key.Dispose();
            throw new InvalidOperationException($"{what} holds no ECDSA key in PEM form.", e);
        }

        if (key.KeySize != 256)
        {
            key.Dispose();
            throw new InvalidOperationException($"{what} is not an ECDSA P-256 key.");
        }

        return key;
    }

    public void Dispose()
    {
        Key.Dispose();
        foreach (var previous in _previous)
        {
            previous.Dispose();
        }
    }
}

/// <summary>One published public key of <see cref="LicenseSigningKey"/>.</summary>
public sealed record PublishedSigningKey(string KeyId, string PublicKeyPem, bool Current);
