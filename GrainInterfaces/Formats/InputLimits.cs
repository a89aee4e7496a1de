namespace OrleansLicensing.Contracts;

/// <summary>
/// Every limit on what one request may carry (issue 13), in one place: the edge's validators and
/// the grains that check again read them from here, docs/security.md lists them in one table, and
/// a test drives each just at and just above its limit over HTTP. The request shape's two limits
/// are defaults of configuration keys (<c>Gateway:MaxRequestBodyBytes</c>, <c>Gateway:MaxJsonDepth</c>);
/// the others are part of the contract and fixed.
/// </summary>
public static class InputLimits
{
    /// <summary>Default of <c>Gateway:MaxRequestBodyBytes</c>; a larger body is 413 PayloadTooLarge.</summary>
    public const long DefaultMaxRequestBodyBytes = 256 * 1024;

    /// <summary>Default of <c>Gateway:MaxJsonDepth</c> (System.Text.Json's own is 64); deeper is 400 ValidationFailed.</summary>
    public const int DefaultMaxJsonDepth = 32;

    /// <summary>Longest accepted text per field, in UTF-16 code units after trimming (400 ValidationFailed above).</summary>
    public static class Text
    {
        public const int CompanyName = 200;
        public const int Street = 200;
        public const int PostalCode = 20;
        public const int City = 100;
        public const int Country = 100;
        public const int Phone = 50;
        public const int ProjectName = 100;
        public const int ProjectDescription = 1000;
        public const int DisplayName = 200;
        public const int ApiKeyName = 100;
        public const int DeviceName = 100;

        /// <summary>A device's comment, and the reason given when a device leaves its project.</summary>
        public const int DeviceComment = 1000;

        /// <summary>The comment of an activation or own key.</summary>
        public const int KeyComment = 500;

        public const int OrderNumber = 100;
        public const int OrderReference = 100;
        public const int DeviceType = 32;
        public const int LicenseType = 64;
        public const int LotId = 64;

        /// <summary>A license file version such as V13.</summary>
        public const int Version = 8;

        public const int CertificatePublicKey = 4096;
        public const int DeviceSecret = 128;

        /// <summary>The device secret a company presents to claim a device (header <c>X-Device-Secret</c>).</summary>
        public const int ClaimSecret = 256;

        public const int InvalidationDocument = 64 * 1024;
        public const int Email = 254;
        public const int PasswordMin = 8;
        public const int PasswordMax = 256;
        public const int IdempotencyKey = 200;
        public const int SearchQuery = 100;
        public const int HistoryCursor = 4096;
    }

    /// <summary>Most items per collection in one request (400 ValidationFailed above).</summary>
    public static class Items
    {
        public const int DevicesPerAdd = 50;
        public const int DevicesPerMove = 50;
        public const int HardwarePerRegistration = 1000;
        public const int FreePoolLots = 200;
        public const int QuoteLots = 1000;
        public const int ExcludedLots = 10_000;
        public const int InvalidationLots = 1000;
    }

    /// <summary>Unit ranges (400 InvalidUnits outside).</summary>
    public static class Units
    {
        /// <summary>Units per license type in one entry of a key, an order or a move; negative only where a correction allows it.</summary>
        public const int PerEntry = 1_000_000;

        public const int TestLicensePbx = 10_000;

        /// <summary>The largest port total a package plan is computed for (larger than any device holds).</summary>
        public const int WishedPorts = 100_000;
    }

    /// <summary>
    /// The bidirectional controls of "Trojan Source" (CVE-2021-42574): embeddings, overrides and
    /// isolates, and the implicit marks. In a name they make a value display as another one (a
    /// project "DEFAULT" that reads differently, a company that looks like a trusted one), so free
    /// text refuses them (<see cref="ErrorCodes.UnsafeText"/>); nothing a real name needs is lost.
    /// </summary>
    public static bool IsBidiControl(char c) =>
        c is '\u061C' or '\u200E' or '\u200F' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069');

    /// <summary>True when <paramref name="text"/> has a surrogate without its pair (not a Unicode text).</summary>
    public static bool HasLoneSurrogate(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return true;
            }
        }

        return false;
    }
}
