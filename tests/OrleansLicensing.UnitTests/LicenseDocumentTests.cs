using System.Security.Cryptography;
using System.Xml.Linq;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Domain;

namespace OrleansLicensing.UnitTests;

public sealed class LicenseDocumentTests : IDisposable
{
    private const string MacText = "00-90-33-0a-1b-2c";

    private static readonly LicenseLot[] Lots =
    [
        new("PBX-Port8*20", 2, "V8", new DateOnly(2010, 1, 1), new DateOnly(2012, 12, 31), null, "Balance"),
        new("PBX-Voicemail", 40, "V8", new DateOnly(2010, 1, 1), null, null, "Balance"),
        new("DECT-Multi-Cell-Ari", 1, "V8", new DateOnly(2011, 5, 6), null, "ARI-12345", "Balance"),
    ];

    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa _otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public void Dispose()
    {
        _key.Dispose();
        _otherKey.Dispose();
    }

    private string Create(DateTimeOffset? testModeUntil = null) =>
        LicenseDocument.Create(MacText, "V8", Lots, testModeUntil, _key);

    private ECDsa PublicOnly()
    {
        var key = ECDsa.Create();
        key.ImportSubjectPublicKeyInfo(_key.ExportSubjectPublicKeyInfo(), out _);
        return key;
    }

    [Fact]
    public void R_V2_a_created_document_verifies_with_the_public_key()
    {
        var xml = Create();

        using var publicKey = PublicOnly();
        Assert.True(LicenseDocument.Verify(xml, publicKey));
        Assert.True(LicenseDocument.Verify(xml, _key));
    }

    [Fact]
    public void R_V2_the_document_names_device_version_and_every_lot()
    {
        var root = XElement.Parse(Create(new DateTimeOffset(2025, 1, 1, 10, 0, 0, TimeSpan.FromHours(2))));

        Assert.Equal("license", root.Name.LocalName);
        Assert.Equal(MacText, (string?)root.Attribute("mac"));
        Assert.Equal("V8", (string?)root.Attribute("version"));
        Assert.Equal("2025-01-01T08:00:00.0000000Z", (string?)root.Attribute("testModeUntil"));

        var lots = root.Elements("lot").ToList();
        Assert.Equal(3, lots.Count);
        Assert.Equal("PBX-Port8*20", (string?)lots[0].Attribute("type"));
        Assert.Equal("2", (string?)lots[0].Attribute("units"));
        Assert.Equal("2010-01-01", (string?)lots[0].Attribute("bindDate"));
        Assert.Equal("2012-12-31", (string?)lots[0].Attribute("ssaEndDate"));
        Assert.Null(lots[1].Attribute("ssaEndDate"));
        Assert.Equal("ARI-12345", (string?)lots[2].Attribute("externalKey"));

        var signature = root.Element("signature");
        Assert.NotNull(signature);
        Assert.Equal(LicenseDocument.SignatureAlgorithm, (string?)signature.Attribute("algorithm"));
    }

    [Fact]
    public void R_V2_without_test_mode_there_is_no_testModeUntil_attribute() =>
        Assert.Null(XElement.Parse(Create()).Attribute("testModeUntil"));

    public static TheoryData<string> Tamperings => new()
    {
        "units",
        "type",
        "mac",
        "version",
        "ssaEndDate",
        "removeLot",
        "addLot",
        "testMode",
        "signatureBytes",
        "algorithm",
        "removeSignature",
    };

    [Theory]
    [MemberData(nameof(Tamperings))]
    public void R_V2_a_tampered_document_does_not_verify(string what)
    {
        var root = XElement.Parse(Create());
        var firstLot = root.Elements("lot").First();
        var signature = root.Element("signature")!;
        switch (what)
        {
            case "units":
                firstLot.SetAttributeValue("units", "20");
                break;
            case "type":
                firstLot.SetAttributeValue("type", "PBX-Port8*100");
                break;
            case "mac":
                root.SetAttributeValue("mac", "00-90-33-0a-1b-2d");
                break;
            case "version":
                root.SetAttributeValue("version", "V13");
                break;
            case "ssaEndDate":
                firstLot.SetAttributeValue("ssaEndDate", "2099-12-31");
                break;
            case "removeLot":
                firstLot.Remove();
                break;
            case "addLot":
                firstLot.AddAfterSelf(new XElement(firstLot));
                break;
            case "testMode":
                root.SetAttributeValue("testModeUntil", "2099-01-01T00:00:00.0000000Z");
                break;
            case "signatureBytes":
                var bytes = Convert.FromBase64String(signature.Value);
                bytes[^1] ^= 0x01;
                signature.Value = Convert.ToBase64String(bytes);
                break;
            case "algorithm":
                signature.SetAttributeValue("algorithm", "RSA-SHA256");
                break;
            case "removeSignature":
                signature.Remove();
                break;
        }

        Assert.False(LicenseDocument.Verify(root.ToString(SaveOptions.DisableFormatting), _key));
    }

    [Fact]
    public void R_V2_changing_the_units_text_in_the_xml_breaks_the_signature()
    {
        var xml = Create();
        var tampered = xml.Replace("units=\"2\"", "units=\"3\"", StringComparison.Ordinal);

        Assert.NotEqual(xml, tampered);
        Assert.False(LicenseDocument.Verify(tampered, _key));
    }

    [Fact]
    public void R_V2_a_document_does_not_verify_with_another_key() =>
        Assert.False(LicenseDocument.Verify(Create(), _otherKey));

    [Theory]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("<license")]
    [InlineData("<license/>")]
    [InlineData("<license><signature algorithm=\"ECDSA-P256-SHA256\">not base64!</signature></license>")]
    [InlineData("<license><signature algorithm=\"ECDSA-P256-SHA256\">AAAA</signature></license>")]
    [InlineData("<license><signature algorithm=\"ECDSA-P256-SHA256\"></signature></license>")]
    [InlineData("<!DOCTYPE license [<!ENTITY x \"y\">]><license>&x;</license>")]
    public void R_V2_garbage_does_not_verify(string xml) =>
        Assert.False(LicenseDocument.Verify(xml, _key));

    [Fact]
    public void R_V2_signatures_are_randomised_but_each_verifies()
    {
        var first = Create();
        var second = Create();

        Assert.NotEqual(first, second);
        Assert.True(LicenseDocument.Verify(first, _key));
        Assert.True(LicenseDocument.Verify(second, _key));
    }
}
