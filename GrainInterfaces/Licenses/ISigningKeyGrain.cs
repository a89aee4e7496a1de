namespace OrleansLicensing.Contracts;

/// <summary>The public half of the key that signs license files (R-V2), for anyone to verify them.</summary>
public interface ISigningKeyGrain : IGrainWithIntegerKey
{
    Task<SigningKeyView> GetPublicKeyAsync();
}

[GenerateSerializer, Immutable]
public sealed record SigningKeyView(
    [property: Id(0)] string Algorithm,
    [property: Id(1)] string PublicKeyPem);
