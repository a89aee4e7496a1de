using System.Net;
using System.Security.Cryptography;
using static OrleansLicensing.ApiTests.LicenseFileTools;

namespace OrleansLicensing.ApiTests;

/// <summary>R-V2 key rotation: two nodes one after the other, the second configured with a new key and the first one as previous.</summary>
public sealed class SigningKeyRotationTests : IDisposable
{
    private readonly DirectoryInfo _keys = Directory.CreateTempSubdirectory("signing-keys-");

    public void Dispose() => _keys.Delete(recursive: true);

    [Fact]
    public async Task R_V2_after_a_key_rotation_files_signed_before_still_verify_with_openssl_and_the_previous_published_key()
    {
        using var oldKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var newKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var oldPath = Path.Combine(_keys.FullName, "old.pem");
        var newPath = Path.Combine(_keys.FullName, "new.pem");
        await File.WriteAllTextAsync(oldPath, oldKey.ExportPkcs8PrivateKeyPem(), TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(newPath, newKey.ExportPkcs8PrivateKeyPem(), TestContext.Current.CancellationToken);

        string oldFile;
        string oldKeyId;
        await using (var before = new LicensingApp("Memory", settings: new Dictionary<string, string> { ["Licensing:SigningKeyPath"] = oldPath }))
        {
            var api = new Api(before.CreateClient());
            var company = await DeviceCompany.CreateAsync(api);
            await company.FundAsync(new() { ["Relay-PRI"] = 1 });
            var (mac, _) = await company.DeviceAsync();
            Assert.Equal(HttpStatusCode.OK, (await company.PostAsync($"/devices/{mac}/licenses", new { version = "V13", licenses = new Dictionary<string, int> { ["Relay-PRI"] = 1 } })).StatusCode);
            oldFile = await DownloadAsync(company, mac, "V13", encrypted: false);
            var published = await SigningKeysAsync(api);
            oldKeyId = published["keyId"]!.GetValue<string>();
            Assert.Single(published["keys"]!.AsArray());
            Assert.Equal(oldKeyId, Split(oldFile).KeyId);
        }

        // Rotated: the new key signs (from PEM text in configuration), the old one stays published (from its file).
        await using var after = new LicensingApp("Memory", settings: new Dictionary<string, string>
        {
            ["Licensing:SigningKeyPem"] = await File.ReadAllTextAsync(newPath, TestContext.Current.CancellationToken),
            ["Licensing:PreviousSigningKeyPaths:0"] = oldPath,
        });
        var rotatedApi = new Api(after.CreateClient());
        var rotated = await SigningKeysAsync(rotatedApi);
        var keys = rotated["keys"]!.AsArray();
        Assert.Equal(2, keys.Count);
        Assert.NotEqual(oldKeyId, rotated["keyId"]!.GetValue<string>());
        Assert.Equal(newKey.ExportSubjectPublicKeyInfoPem(), rotated["publicKeyPem"]!.GetValue<string>());
        var previous = keys.Single(k => k!["keyId"]!.GetValue<string>() == oldKeyId)!;
        Assert.False(previous["current"]!.GetValue<bool>());
        var current = keys.Single(k => k!["current"]!.GetValue<bool>())!;

        // The file signed before the rotation verifies with the previous key it names, not with the new one.
        var (signed, signature, keyId) = Split(oldFile);
        var previousPem = keys.Single(k => k!["keyId"]!.GetValue<string>() == keyId)!["publicKeyPem"]!.GetValue<string>();
        Assert.True(await OpensslVerifiesAsync(previousPem, signed, signature));
        Assert.False(await OpensslVerifiesAsync(current["publicKeyPem"]!.GetValue<string>(), signed, signature));

        // New files name and verify with the new key.
        var company2 = await DeviceCompany.CreateAsync(rotatedApi);
        var (mac2, _) = await company2.DeviceAsync();
        var newFile = await DownloadAsync(company2, mac2, "V13", encrypted: false);
        var (signed2, signature2, keyId2) = Split(newFile);
        Assert.Equal(current["keyId"]!.GetValue<string>(), keyId2);
        Assert.True(await OpensslVerifiesAsync(current["publicKeyPem"]!.GetValue<string>(), signed2, signature2));
    }
}
