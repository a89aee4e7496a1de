using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Xml.Linq;

namespace OrleansLicensing.ApiTests;

/// <summary>
/// What a device maker or an auditor would write from docs/license-files.md alone, without the
/// service's code: split a signed document by the byte-exact rule, run <c>openssl</c>, sign a
/// device's invalidation document, derive a device's file key and decrypt.
/// </summary>
public static class LicenseFileTools
{
    private const string Open = "<signature ";
    private const string Close = "</signature>";

    /// <summary>The signed bytes (the document with its last signature element cut out), the DER signature and the key id.</summary>
    public static (byte[] Signed, byte[] Signature, string KeyId) Split(string document)
    {
        var start = document.LastIndexOf(Open, StringComparison.Ordinal);
        var end = document.IndexOf(Close, start, StringComparison.Ordinal) + Close.Length;
        Assert.True(start > 0 && end > start, "no signature element");
        var element = XElement.Parse(document[start..end]);
        Assert.Equal("ECDSA-P256-SHA256", (string?)element.Attribute("algorithm"));
        return (Encoding.UTF8.GetBytes(document[..start] + document[end..]), Convert.FromBase64String(element.Value), (string?)element.Attribute("keyId") ?? string.Empty);
    }

    /// <summary>Verifies as a client with only the public key would: .NET, DER signature.</summary>
    public static bool Verifies(string document, string publicKeyPem)
    {
        var (signed, signature, _) = Split(document);
        using var key = ECDsa.Create();
        key.ImportFromPem(publicKeyPem);
        return key.VerifyData(signed, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
    }

    /// <summary>
    /// <c>openssl dgst -sha256 -verify key.pem -signature sig.bin signed.bin</c> on files in a fresh
    /// directory; true when openssl says "Verified OK". Skips the test when openssl is not installed.
    /// </summary>
    public static async Task<bool> OpensslVerifiesAsync(string publicKeyPem, byte[] signed, byte[] signature)
    {
        var directory = Directory.CreateTempSubdirectory("license-file-");
        try
        {
            var key = Path.Combine(directory.FullName, "key.pem");
            var sig = Path.Combine(directory.FullName, "sig.bin");
            var data = Path.Combine(directory.FullName, "signed.bin");
            await File.WriteAllTextAsync(key, publicKeyPem, TestContext.Current.CancellationToken);
            await File.WriteAllBytesAsync(sig, signature, TestContext.Current.CancellationToken);
            await File.WriteAllBytesAsync(data, signed, TestContext.Current.CancellationToken);
            var (exit, output) = await RunAsync("openssl", ["dgst", "-sha256", "-verify", key, "-signature", sig, data]);
            Assert.True(exit is 0 or 1, $"openssl failed to run: {output}");
            Assert.Equal(exit == 0, output.Contains("Verified OK", StringComparison.Ordinal));
            return exit == 0;
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    public static async Task<(int Exit, string Output)> RunAsync(string command, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception) when (command == "openssl")
        {
            Assert.Skip("The openssl command is not installed; the byte-exact signing rule is checked with it where it is (CI Debian images have it).");
            throw;
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            await process.WaitForExitAsync(TestContext.Current.CancellationToken);
            return (process.ExitCode, await stdout + await stderr);
        }
    }

    /// <summary>A device's invalidation document, signed with its certificate key by the byte-exact rule.</summary>
    public static string Invalidation(ECDsa deviceKey, string mac, long sequence, bool consentNoDowngrade = false, params string[] lotIds)
    {
        var lots = string.Concat(lotIds.Select(id => $"<lot id=\"{id}\" />"));
        var unsigned = $"<invalidation mac=\"{mac}\" sequence=\"{sequence}\" scope=\"{(lotIds.Length == 0 ? "allPbx" : "lots")}\" consentNoDowngrade=\"{(consentNoDowngrade ? "true" : "false")}\">{lots}</invalidation>";
        var signature = Convert.ToBase64String(deviceKey.SignData(Encoding.UTF8.GetBytes(unsigned), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
        var close = unsigned.LastIndexOf("</invalidation>", StringComparison.Ordinal);
        return unsigned[..close] + $"<signature algorithm=\"ECDSA-P256-SHA256\" keyId=\"device\">{signature}</signature>" + unsigned[close..];
    }

    /// <summary>The documented recipe: HKDF-SHA256 over SHA-256(secret), then AES-256-GCM with MAC|VERSION as associated data.</summary>
    public static string Decrypt(string envelope, string deviceSecret)
    {
        var root = XElement.Parse(envelope);
        Assert.Equal("encryptedLicense", root.Name.LocalName);
        Assert.Equal("AES-256-GCM", (string?)root.Attribute("algorithm"));
        Assert.Equal("HKDF-SHA256", (string?)root.Attribute("kdf"));
        var context = Encoding.UTF8.GetBytes($"{(string?)root.Attribute("mac")}|{(string?)root.Attribute("version")}");
        var key = HKDF.DeriveKey(HashAlgorithmName.SHA256, SHA256.HashData(Encoding.UTF8.GetBytes(deviceSecret)), 32,
            Encoding.UTF8.GetBytes("OrleansLicensing license file v1"), context);
        var cipher = Convert.FromBase64String(root.Value);
        var plain = new byte[cipher.Length];
        using var aes = new AesGcm(key, 16);
        aes.Decrypt(Convert.FromBase64String((string)root.Attribute("nonce")!), cipher, Convert.FromBase64String((string)root.Attribute("tag")!), plain, context);
        return Encoding.UTF8.GetString(plain);
    }

    /// <summary>Registers a device, with a certificate key when given (base64 DER: the vendor field is one line), and adds it to the company's default project.</summary>
    public static async Task<(string Mac, string Secret)> DeviceWithCertificateAsync(DeviceCompany company, ECDsa? certificate, string shipDate = "2031-01-01")
    {
        var response = await company.Api.SendAsync(HttpMethod.Post, "/api/v1/vendor/hardware",
            new { devices = new[] { new { mac = Api.NewMacSuffix(), deviceType = "IP6000", orderNumber = "SO-FILES", shipDate, certificatePublicKey = certificate is null ? null : Convert.ToBase64String(certificate.ExportSubjectPublicKeyInfo()) } } }, LicensingApp.VendorKey);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var device = (await Api.Json(response))["devices"]![0]!;
        var (mac, secret) = (device["mac"]!.GetValue<string>(), device["deviceSecret"]!.GetValue<string>());
        var added = await company.PostAsync($"/projects/{company.ProjectId}/devices", new { macs = new[] { mac } });
        Assert.Equal(HttpStatusCode.OK, added.StatusCode);
        return (mac, secret);
    }

    public static async Task<JsonObject> SigningKeysAsync(Api api)
    {
        var response = await api.SendAsync(HttpMethod.Get, "/api/v1/catalog/signing-key", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await Api.Json(response)).AsObject();
    }

    public static async Task<string> DownloadAsync(DeviceCompany company, string mac, string version, bool? encrypted = null)
    {
        var response = await company.Api.SendAsync(HttpMethod.Get, $"{company.Base}/devices/{mac}/license-file?version={version}{(encrypted is { } e ? $"&encrypted={(e ? "true" : "false")}" : string.Empty)}", null, company.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/xml", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
    }
}
