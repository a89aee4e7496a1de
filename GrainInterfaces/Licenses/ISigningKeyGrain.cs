using System.Collections.Immutable;

namespace OrleansLicensing.Contracts;

/// <summary>The public halves of the keys that sign license files (R-V2), for anyone to verify them.</summary>
public interface ISigningKeyGrain : IGrainWithIntegerKey
{
    Task<SigningKeyView> GetPublicKeyAsync();
}

/// <param name="PublicKeyPem">The current key's public half (PEM).</param>
/// <param name="KeyId">The current key's id, named by the <c>keyId</c> of every signature it makes.</param>
/// <param name="Keys">The current key first, then the previous ones that still verify files signed before a rotation.</param>
[GenerateSerializer, Immutable]
public sealed record SigningKeyView(
    [property: Id(0)] string Algorithm,
    [property: Id(1)] string PublicKeyPem,
    [property: Id(2)] string KeyId,
    [property: Id(3)] ImmutableArray<PublishedKeyView> Keys);

[GenerateSerializer, Immutable]
public sealed record PublishedKeyView(
    [property: Id(0)] string KeyId,
    [property: Id(1)] string PublicKeyPem,
    [property: Id(2)] bool Current);
