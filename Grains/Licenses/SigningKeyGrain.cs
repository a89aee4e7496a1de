using Orleans.Concurrency;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Domain;

namespace OrleansLicensing.Grains.Grains;

[StatelessWorker]
public sealed class SigningKeyGrain(LicenseSigningKey key) : Grain, ISigningKeyGrain
{
    public Task<SigningKeyView> GetPublicKeyAsync() =>
        Task.FromResult(new SigningKeyView(LicenseDocument.SignatureAlgorithm, key.PublicKeyPem, key.KeyId,
            [.. key.Published.Select(k => new PublishedKeyView(k.KeyId, k.PublicKeyPem, k.Current))]));
}
