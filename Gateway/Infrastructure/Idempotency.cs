using System.Reflection;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Metadata;
using OrleansLicensing.Contracts;

namespace OrleansLicensing.Gateway.Infrastructure;

/// <summary>Marks an endpoint that honours the <c>Idempotency-Key</c> header (documented by the OpenAPI conventions).</summary>
public sealed class IdempotentMetadata
{
    public static readonly IdempotentMetadata Instance = new();

    private IdempotentMetadata()
    {
    }
}

/// <summary>
/// The <c>Idempotency-Key</c> header of a mutating request (SPEC §4), bound in this one place:
/// a handler that takes an <see cref="IdempotencyKey"/> parameter is idempotent, and its
/// endpoint documents the header and the 409 <c>IdempotencyKeyReused</c>. The key is scoped to
/// the caller; the fingerprint is the method, path and bound request, so reusing a key for a
/// different request is refused. The grains record the result in the same transaction as the
/// effect.
/// </summary>
public sealed class IdempotencyKey : IEndpointParameterMetadataProvider
{
    public const string Header = "Idempotency-Key";
    public const int MaxLength = InputLimits.Text.IdempotencyKey;

    private readonly HttpContext _context;

    private IdempotencyKey(HttpContext context, string scope)
    {
        _context = context;
        Scope = scope;
    }

    /// <summary>The caller-scoped key, a stable hash (also the seed of ids derived for retried creates).</summary>
    public string Scope { get; }

    /// <summary>Absent when the request carries no key.</summary>
    public static ValueTask<IdempotencyKey?> BindAsync(HttpContext context)
    {
        string? key = context.Request.Headers[Header];
        if (string.IsNullOrEmpty(key))
        {
            return ValueTask.FromResult<IdempotencyKey?>(null);
        }

        if (key.Length > MaxLength || key.Any(c => c is < '!' or > '~'))
        {
            throw LicensingException.Validation($"'{Header}' must be 1 to {MaxLength} printable ASCII characters without spaces.");
        }

        var caller = context.User;
        var who = caller.FindFirstValue(ClaimTypes.Email) ?? (caller.IsInRole(BearerAuthenticationHandler.VendorRole) ? "vendor" : "anonymous");
        return ValueTask.FromResult<IdempotencyKey?>(new IdempotencyKey(context, "idem-" + Hash(who + "\n" + key)));
    }

    public static void PopulateMetadata(ParameterInfo parameter, EndpointBuilder builder)
    {
        builder.Metadata.Add(IdempotentMetadata.Instance);
        builder.Metadata.Add(new ErrorCodesMetadata([ErrorCodes.IdempotencyKeyReused]));
    }

    /// <summary>The token for this request: the key's scope and a fingerprint of <paramref name="request"/>.</summary>
    public IdempotencyToken For(object request)
    {
        var fingerprint = Hash(_context.Request.Method + " " + _context.Request.Path + "\n" + JsonSerializer.Serialize(request, request.GetType()));
        return new IdempotencyToken(Scope, fingerprint);
    }

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
