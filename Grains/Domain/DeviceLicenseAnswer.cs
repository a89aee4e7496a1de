using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using OrleansLicensing.Contracts;

namespace OrleansLicensing.Grains.Domain;

/// <summary>
/// Builds the body of <c>GET /api/v1/device/license</c> (SPEC §4.1) once per change, so that
/// polls only copy bytes. The ETag depends on the licensed content alone, not on the
/// (randomised) ECDSA signature, so an unchanged device keeps its ETag across rebuilds.
/// </summary>
public static class DeviceLicenseAnswer
{
    public static string ComputeETag(string mac, string version, IReadOnlyList<LicenseLot> lots, DateTimeOffset? testModeUntil, DeviceTestLicense? testLicense = null)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            writer.WriteStringValue(mac);
            writer.WriteStringValue(version);
            writer.WriteStringValue(testModeUntil?.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
            WriteTestLicense(writer, testLicense);
            foreach (var lot in lots)
            {
                WriteLot(writer, lot);
            }

            writer.WriteEndArray();
        }

        var hash = SHA256.HashData(buffer.WrittenSpan);
        return "\"" + Convert.ToHexStringLower(hash.AsSpan(0, 16)) + "\"";
    }

    /// <param name="encryptedDocument">
    /// For a device whose current version is V8 or later: <paramref name="document"/> encrypted for
    /// the device (R-V4, docs/license-files.md), in the added field <c>encryptedDocument</c>; the
    /// §4.1 field <c>document</c> keeps the signed XML. Null (and no field) for V5–V7.
    /// </param>
    /// <param name="testLicense">The device's valid test license (R-L8), carried as the added member <c>testLicense</c> (null when none is valid).</param>
    public static byte[] CreateBody(string mac, IReadOnlyList<LicenseLot> lots, DateTimeOffset? testModeUntil, string document, string? encryptedDocument = null, DeviceTestLicense? testLicense = null)
    {
        var buffer = new ArrayBufferWriter<byte>();

        // The body is served as application/json only, never embedded in HTML, so the XML
        // document need not have its angle brackets and quotes escaped.
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteString("mac", mac);
            writer.WriteStartArray("licenses");
            foreach (var lot in lots)
            {
                WriteLot(writer, lot);
            }

            writer.WriteEndArray();
            if (testModeUntil is { } until)
            {
                writer.WriteString("testModeUntil", until);
            }
            else
            {
                writer.WriteNull("testModeUntil");
            }

            writer.WriteString("document", document);
            if (encryptedDocument is not null)
            {
                writer.WriteString("encryptedDocument", encryptedDocument);
            }

            writer.WritePropertyName("testLicense");
            WriteTestLicense(writer, testLicense);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>RFC 9110 If-None-Match: a list of entity tags (weak ones compare weakly) or <c>*</c>.</summary>
    public static bool Matches(string? ifNoneMatch, string etag) => DevicePollAnswers.Matches(ifNoneMatch, etag);

    /// <summary>A test license (R-L8): version, slave or not, PBX units and the end of its validity; null when none.</summary>
    private static void WriteTestLicense(Utf8JsonWriter writer, DeviceTestLicense? testLicense)
    {
        if (testLicense is null)
        {
            writer.WriteNullValue();
            return;
        }

        writer.WriteStartObject();
        writer.WriteString("version", testLicense.License.Version);
        writer.WriteBoolean("slave", testLicense.License.Slave);
        if (testLicense.License.PbxUnits is { } units)
        {
            writer.WriteNumber("pbxUnits", units);
        }
        else
        {
            writer.WriteNull("pbxUnits");
        }

        writer.WriteString("validUntil", testLicense.ValidUntil);
        writer.WriteEndObject();
    }

    private static void WriteLot(Utf8JsonWriter writer, LicenseLot lot)
    {
        writer.WriteStartObject();
        writer.WriteString("type", lot.Type);
        writer.WriteNumber("units", lot.Units);
        writer.WriteString("version", lot.Version);
        writer.WriteString("bindDate", lot.BindDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        if (lot.SsaEndDate is { } ssa)
        {
            writer.WriteString("ssaEndDate", ssa.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        }
        else
        {
            writer.WriteNull("ssaEndDate");
        }

        // Part of the licensed content (e.g. the DECT ARI), so part of the ETag too.
        if (lot.ExternalKey is { } externalKey)
        {
            writer.WriteString("externalKey", externalKey);
        }

        writer.WriteEndObject();
    }
}
