using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using OrleansLicensing.Contracts;
using OrleansLicensing.Gateway.Infrastructure;

namespace OrleansLicensing.Gateway.Apis;

/// <summary>
/// License files (R-V2..R-V4), invalidation with device certificates (R-V5) and the device's
/// certificate keys; the formats are in docs/license-files.md.
/// </summary>
public static class LicenseFilesApi
{
    public const string XmlContentType = "application/xml";

    /// <summary>R-V2: files of V8 and later can be encrypted for the device, older ones never.</summary>
    public const int FirstEncryptedVersion = 8;

    public static ApiGroups MapLicenseFilesApi(this ApiGroups groups)
    {
        var device = groups.Company.MapGroup("/devices/{mac}").WithTags("License files");
        device.MapGet("/license-file", DownloadLicenseFileAsync).WithName("DownloadLicenseFile")
            .WithSummary("The device's signed license file of one version (R-V2, R-V3); encrypted for the device by default from V8 on. An unencrypted download makes the licenses in it not returnable (R-V4)")
            .Produces<string>(StatusCodes.Status200OK, XmlContentType)
            .ProducesErrors(ErrorCodes.InvalidMac, ErrorCodes.VersionNotOffered, ErrorCodes.TransientConflict).AllowExternalProjectRights();
        device.MapGet("/license-file/versions", GetOfferedVersionsAsync).WithName("GetLicenseFileVersions")
            .WithSummary("The versions the device's license file can be downloaded in today (R-V3), oldest first, and whether each can be encrypted")
            .ProducesErrors(ErrorCodes.InvalidMac).AllowExternalProjectRights();
        device.MapPost("/invalidation", InvalidateAsync).WithName("UploadInvalidation")
            .WithSummary("Upload the invalidation document the device produced and signed with its certificate key (R-V5): its PBX licenses go to the project's free pool; returns the signed confirmation file")
            .ProducesErrors(ErrorCodes.InvalidMac, ErrorCodes.DeviceCertificateRequired, ErrorCodes.InvalidSignature, ErrorCodes.InvalidationReplayed,
                ErrorCodes.LotNotReturnable, ErrorCodes.DeviceNotInProject, ErrorCodes.TransientConflict).AllowExternalProjectRights();
        device.MapGet("/confirmation-file", GetConfirmationFileAsync).WithName("DownloadConfirmationFile")
            .WithSummary("The signed confirmation file of the device's last invalidation, to upload on the device")
            .Produces<string>(StatusCodes.Status200OK, XmlContentType)
            .ProducesErrors(ErrorCodes.InvalidMac).AllowExternalProjectRights();
        device.MapPost("/certificate", RequestCertificateAsync).WithName("RequestDeviceCertificate")
            .WithSummary("Register a new device certificate key (ECDSA P-256 public key); earlier keys are kept in the history, the newest verifies invalidations")
            .RequireCompanyRight(CompanyRights.RequestCertificate)
            .ProducesErrors(ErrorCodes.InvalidMac);
        device.MapGet("/certificates", GetCertificatesAsync).WithName("GetDeviceCertificates")
            .WithSummary("The device's certificate keys, oldest first; the last one is current")
            .ProducesErrors(ErrorCodes.InvalidMac).AllowExternalProjectRights();

        groups.Device.MapPost("/invalidation", DeviceInvalidateAsync).WithTags("Device").WithName("DeviceInvalidation")
            .WithSummary("The device presents its signed invalidation document itself (R-V5); same checks and answer as the upload by a user")
            .RequireDeviceCredentials()
            .ProducesErrors(ErrorCodes.InvalidMac, ErrorCodes.Unauthorized, ErrorCodes.DeviceCertificateRequired, ErrorCodes.InvalidSignature,
                ErrorCodes.InvalidationReplayed, ErrorCodes.LotNotReturnable, ErrorCodes.DeviceNotInProject, ErrorCodes.TransientConflict);
        return groups;
    }

    public static async Task<ContentHttpResult> DownloadLicenseFileAsync(string? version, bool? encrypted, CompanyCaller caller, HttpResponse response, IGrainFactory grains)
    {
        var wanted = Validate.Text(version ?? throw LicensingException.Validation("Give the 'version' to download, e.g. ?version=V13."), "version", InputLimits.Text.Version);
        var owner = caller.ProjectCompanyId ?? caller.CompanyId;
        var file = await grains.LedgerFor(owner).DownloadLicenseFileAsync(owner, caller.Device.Mac, wanted, encrypted);
        response.Headers.ContentDisposition = $"attachment; filename=\"license-{file.Mac.Replace(":", string.Empty, StringComparison.Ordinal)}-{file.Version}{(file.Encrypted ? "-encrypted" : string.Empty)}.xml\"";
        return TypedResults.Text(file.Document, XmlContentType, Encoding.UTF8);
    }

    public static async Task<Ok<OfferedVersionsResponse>> GetOfferedVersionsAsync(CompanyCaller caller, IGrainFactory grains, Catalog catalog)
    {
        var owner = caller.ProjectCompanyId ?? caller.CompanyId;
        var versions = await grains.LedgerFor(owner).GetOfferedVersionsAsync(owner, caller.Device.Mac);
        return TypedResults.Ok(new OfferedVersionsResponse(caller.Device.Mac, caller.Device.NoDowngrade,
            [.. versions.Select(catalog.GetVersion).Select(v => new OfferedVersionResponse(v.Version, v.ReleaseDate, Encryptable: v.Number >= FirstEncryptedVersion))]));
    }

    public static async Task<Ok<InvalidationResponse>> InvalidateAsync(InvalidationRequest request, CompanyCaller caller, IGrainFactory grains)
    {
        var owner = caller.ProjectCompanyId ?? caller.CompanyId;
        var result = await grains.LedgerFor(owner).InvalidateAsync(owner, caller.Device.Mac, DocumentOf(request));
        return TypedResults.Ok(InvalidationResponse.From(result));
    }

    public static async Task<Results<ContentHttpResult, NotFound>> GetConfirmationFileAsync(CompanyCaller caller, IGrainFactory grains)
    {
        var owner = caller.ProjectCompanyId ?? caller.CompanyId;
        var confirmation = await grains.GetGrain<IDeviceGrain>(caller.Device.Mac).GetConfirmationFileAsync(owner)
            ?? throw LicensingException.NotFound("A confirmation file (the device has no accepted invalidation)");
        return TypedResults.Text(confirmation, XmlContentType, Encoding.UTF8);
    }

    public static async Task<Ok<DeviceCertificatesResponse>> RequestCertificateAsync(CertificateRequest request, CompanyCaller caller, IGrainFactory grains)
    {
        // PEM spans lines, so not Validate.Text; the grain parses it (or refuses it) as a P-256 key.
        var key = request.PublicKey is { Length: > 0 and <= 4096 } text
            ? text
            : throw LicensingException.Validation("'publicKey' is required: an ECDSA P-256 public key, PEM or base64 DER, at most 4096 characters.");
        var certificates = await grains.GetGrain<IDeviceCertificateGrain>(caller.Device.Mac).RequestAsync(key, caller.Email);
        return TypedResults.Ok(DeviceCertificatesResponse.From(certificates));
    }

    public static async Task<Ok<DeviceCertificatesResponse>> GetCertificatesAsync(CompanyCaller caller, IGrainFactory grains) =>
        TypedResults.Ok(DeviceCertificatesResponse.From(await grains.GetGrain<IDeviceCertificateGrain>(caller.Device.Mac).GetAsync()));

    /// <summary>The device route: authenticated by its MAC and secret; the company is the one the device is in.</summary>
    public static async Task<Ok<InvalidationResponse>> DeviceInvalidateAsync(InvalidationRequest request, HttpRequest http, IGrainFactory grains)
    {
        var (mac, secret) = DevicePollApi.DeviceHeaders(http);
        var hardware = await grains.GetGrain<IHardwareGrain>(mac).GetAsync();
        if (hardware is null || !Codes.SecretMatches(secret, hardware.SecretHash))
        {
            throw new LicensingException(ErrorCodes.Unauthorized, "The device MAC or secret is wrong.");
        }

        var device = await grains.GetGrain<IDeviceGrain>(mac).GetAsync();
        var companyId = device.CompanyId
            ?? throw new LicensingException(ErrorCodes.DeviceNotInProject, "The device is in no project; its licenses have no free pool to return to.");
        var result = await grains.LedgerFor(companyId).InvalidateAsync(companyId, mac, DocumentOf(request));
        return TypedResults.Ok(InvalidationResponse.From(result));
    }

    private static string DocumentOf(InvalidationRequest request) =>
        request.Document is { Length: > 0 and <= InputLimits.Text.InvalidationDocument } document
            ? document
            : throw LicensingException.Validation($"'document' must be the invalidation XML the device produced (1 to {InputLimits.Text.InvalidationDocument} characters).");
}

/// <param name="NoDowngrade">R-V3: the device takes no file below V8 any more.</param>
public sealed record OfferedVersionsResponse(string Mac, bool NoDowngrade, IReadOnlyList<OfferedVersionResponse> Versions);

/// <param name="Encryptable">V8 and later: downloaded encrypted by default; older versions never are (R-V2).</param>
public sealed record OfferedVersionResponse(string Version, DateOnly ReleaseDate, bool Encryptable);

/// <param name="Document">The invalidation XML exactly as the device produced it.</param>
public sealed record InvalidationRequest(string? Document);

/// <param name="Returned">The PBX lots that went to the free pool of <paramref name="ProjectId"/>.</param>
/// <param name="Confirmation">The signed confirmation file, to upload on the device (again later: <c>GET …/confirmation-file</c>).</param>
public sealed record InvalidationResponse(string Mac, string? ProjectId, long Sequence, IReadOnlyList<LotResponse> Returned, bool NoDowngrade, string Confirmation)
{
    public static InvalidationResponse From(InvalidationResult result) =>
        new(result.Mac, result.Invalidation.ProjectId, result.Invalidation.Sequence, [.. result.Invalidation.Returned.Select(LotResponse.From)], result.Invalidation.NoDowngrade, result.Confirmation);
}

/// <param name="PublicKey">The new device certificate's ECDSA P-256 public key: PEM, or the base64 of its DER SubjectPublicKeyInfo.</param>
public sealed record CertificateRequest(string? PublicKey);

public sealed record DeviceCertificateResponse(string PublicKeyPem, DateTimeOffset? RegisteredAt, string Source, string? RequestedBy, bool Current);

public sealed record DeviceCertificatesResponse(string Mac, IReadOnlyList<DeviceCertificateResponse> Keys)
{
    public static DeviceCertificatesResponse From(DeviceCertificates certificates) =>
        new(certificates.Mac, [.. certificates.Keys.Select((k, i) => new DeviceCertificateResponse(k.PublicKeyPem, k.RegisteredAt, k.Source, k.RequestedBy, i == certificates.Keys.Length - 1))]);
}
