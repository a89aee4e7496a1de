using System.Collections.Immutable;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Domain;
using OrleansLicensing.Grains.History;
using OrleansLicensing.Grains.State;

namespace OrleansLicensing.Grains.Grains;

/// <summary>
/// A device's certificate keys (R-V5): the key the vendor registered with the hardware, then
/// every key requested since (right RequestCertificate), all kept; the newest verifies
/// invalidation documents.
/// </summary>
public sealed class DeviceCertificateGrain(
    [PersistentState("deviceCertificates", StorageNames.Licensing)] IPersistentState<DeviceCertificatesState> certificates,
    [Microsoft.Extensions.DependencyInjection.FromKeyedServices(LicensingClock.Key)] TimeProvider time,
    ChangeFeed feed) : Grain, IDeviceCertificateGrain
{
    private string Mac => this.GetPrimaryKeyString();

    public async Task<DeviceCertificates> GetAsync()
    {
        var hardware = await GrainFactory.GetGrain<IHardwareGrain>(Mac).GetAsync() ?? throw LicensingException.NotFound("The device");
        var registered = hardware.Registration.CertificatePublicKey is { Length: > 0 } key
            ? [new DeviceCertificateKey(key, null, CertificateSources.Hardware, null)]
            : ImmutableArray<DeviceCertificateKey>.Empty;
        return new DeviceCertificates(Mac, registered.AddRange(certificates.State.Requested));
    }

    public async Task<DeviceCertificates> RequestAsync(string publicKeyPem, string requestedBy)
    {
        var pem = InvalidationDocuments.NormalizePublicKey(publicKeyPem)
            ?? throw LicensingException.Validation("'publicKey' must be an ECDSA P-256 public key: PEM (BEGIN PUBLIC KEY) or the base64 of its DER SubjectPublicKeyInfo.");
        var view = await GetAsync();
        if (view.Current?.PublicKeyPem == pem)
        {
            return view;
        }

        certificates.State.Requested = certificates.State.Requested.Add(new DeviceCertificateKey(pem, time.GetUtcNow(), CertificateSources.Requested, requestedBy));
        await certificates.WriteStateAsync();
        var device = await GrainFactory.GetGrain<IDeviceGrain>(Mac).GetAsync();
        if (device.CompanyId is { } companyId)
        {
            await feed.RecordAsync(feed.Event(companyId, HistoryActions.DeviceCertificateRequested, device.ProjectId, Mac,
                ChangeFeed.Details(("keys", (view.Keys.Length + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)))));
        }

        return await GetAsync();
    }
}
