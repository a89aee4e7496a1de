using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using OrleansLicensing.Contracts;

namespace OrleansLicensing.Gateway.Infrastructure;

/// <summary>
/// The <c>Idempotency-Key</c> header of unit-moving requests (SPEC §4). The key is scoped to
/// the caller; the fingerprint is the method, path and bound request, so reusing a key for a
/// different request is refused (<c>IdempotencyKeyReused</c>). The ledger records the result in
/// the same transaction as the effect.
/// </summary>
public static class Idempotency
{
    public const string Header = "Idempotency-Key";
    private const int MaxKeyLength = 200;

    public static IdempotencyToken? From(HttpContext context, ClaimsPrincipal caller, object request)
    {
        string? key = context.Request.Headers[Header];
        if (string.IsNullOrEmpty(key))
        {
            return null;
        }

        if (key.Length > MaxKeyLength || key.Any(c => c is < '!' or > '~'))
        {
            throw LicensingException.Validation($"'{Header}' must be 1 to {MaxKeyLength} printable ASCII characters without spaces.");
        }

        var who = caller.FindFirstValue(ClaimTypes.Email) ?? (caller.IsInRole(BearerAuthenticationHandler.VendorRole) ? "vendor" : "anonymous");
        var scope = "idem-" + Hash(who + "\n" + key);
        var fingerprint = Hash(context.Request.Method + " " + context.Request.Path + "\n" + JsonSerializer.Serialize(request, request.GetType()));
        return new IdempotencyToken(scope, fingerprint);
    }

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
