using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using OrleansLicensing.Grains;
using OrleansLicensing.Grains.Domain;

namespace OrleansLicensing.Silo;

/// <summary>
/// <c>verify-license &lt;file&gt; --key &lt;pem&gt; [--key &lt;pem&gt;…] [--device-secret &lt;secret&gt;]</c>:
/// checks a license file (or confirmation file) against published public keys (PEM files, e.g.
/// saved from <c>GET /api/v1/catalog/signing-key</c>) and prints what it licenses. An encrypted
/// file is opened with the device's secret first. Exit code 0: the signature verifies; 1: it does
/// not (or the file cannot be opened); 2: wrong arguments. Needs no cluster and no configuration.
/// </summary>
public static class LicenseVerifier
{
    public const string Verb = "verify-license";

    public static bool IsRequested(string[] args) => args.Length > 0 && args[0] == Verb;

    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        string? file = null;
        string? secret = null;
        var keyPaths = new List<string>();
        for (var i = 1; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--key" when i + 1 < args.Length:
                    keyPaths.Add(args[++i]);
                    break;
                case "--device-secret" when i + 1 < args.Length:
                    secret = args[++i];
                    break;
                case var path when file is null && !path.StartsWith("--", StringComparison.Ordinal):
                    file = path;
                    break;
                default:
                    return Usage(error, $"unexpected argument '{args[i]}'");
            }
        }

        if (file is null || keyPaths.Count == 0)
        {
            return Usage(error, "a file and at least one --key are required");
        }

        var keys = new List<(string Id, ECDsa Key)>();
        try
        {
            foreach (var path in keyPaths)
            {
                var key = LicenseSigningKey.FromPem(File.ReadAllText(path), path);
                keys.Add((LicenseSigningKey.KeyIdOf(key), key));
            }

            var document = File.ReadAllText(file, Encoding.UTF8);
            if (LicenseFileEncryption.IsEnvelope(document))
            {
                if (secret is null)
                {
                    error.WriteLine("The file is encrypted for a device; give that device's secret with --device-secret.");
                    return 1;
                }

                document = LicenseFileEncryption.Decrypt(document, OrleansLicensing.Contracts.Codes.HashSecret(secret)) ?? string.Empty;
                if (document.Length == 0)
                {
                    error.WriteLine("The device secret does not open this file (another device's file, or changed bytes).");
                    return 1;
                }
            }

            return Check(document, keys, output, error);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            error.WriteLine(e.Message);
            return 2;
        }
        finally
        {
            foreach (var (_, key) in keys)
            {
                key.Dispose();
            }
        }
    }

    private static int Check(string document, List<(string Id, ECDsa Key)> keys, TextWriter output, TextWriter error)
    {
        var signed = LicenseDocument.Read(document);
        if (signed is null)
        {
            error.WriteLine("INVALID: not a signed document (no signature element of " + LicenseDocument.SignatureAlgorithm + " as the root's last child).");
            return 1;
        }

        var match = keys.FirstOrDefault(k => k.Key.VerifyData(signed.SignedBytes, signed.Signature, HashAlgorithmName.SHA256, LicenseDocument.SignatureFormat));
        if (match.Key is null)
        {
            error.WriteLine($"INVALID: the signature (key id {signed.KeyId ?? "none"}) does not verify with {(keys.Count == 1 ? "the key" : "any of the keys")} given ({string.Join(", ", keys.Select(k => k.Id))}).");
            return 1;
        }

        var root = signed.Root;
        output.WriteLine($"OK: signature verifies with key {match.Id}{(signed.KeyId is { } named && named != match.Id ? $" (the file names {named})" : string.Empty)}.");
        output.WriteLine($"{root.Name.LocalName}: {string.Join(", ", root.Attributes().Select(a => $"{a.Name.LocalName}={a.Value}"))}");
        foreach (var element in root.Elements())
        {
            output.WriteLine($"  {element.Name.LocalName}: {string.Join(", ", element.Attributes().Select(a => $"{a.Name.LocalName}={a.Value}"))}");
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{root.Elements().Count()} entries."));
        return 0;
    }

    private static int Usage(TextWriter error, string problem)
    {
        error.WriteLine($"{Verb}: {problem}.");
        error.WriteLine($"usage: {Verb} <file> --key <public-key.pem> [--key <previous-key.pem> ...] [--device-secret <secret>]");
        return 2;
    }
}
