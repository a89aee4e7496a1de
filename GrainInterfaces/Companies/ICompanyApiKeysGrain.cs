using System.Collections.Immutable;

namespace OrleansLicensing.Contracts;

/// <summary>
/// A company's API keys for machine clients (SPEC §4), keyed by company id. A key acts for this
/// company only, with the rights it was given (never admin). Only the SHA-256 of each key's
/// secret is stored: the key itself is shown once, when it is created.
/// </summary>
public interface ICompanyApiKeysGrain : IGrainWithStringKey
{
    /// <summary>Records a new key (<paramref name="keyId"/> and the hash of its secret come from the gateway).</summary>
    Task<ApiKeyView> CreateAsync(string actorEmail, string keyId, string name, ImmutableSortedSet<string> rights, byte[] secretHash);

    /// <summary>The live keys, oldest first.</summary>
    Task<ImmutableArray<ApiKeyView>> ListAsync();

    /// <summary>Revokes a key at once; <see cref="ErrorCodes.NotFound"/> when the company has no such live key.</summary>
    Task RevokeAsync(string actorEmail, string keyId);

    /// <summary>The key when <paramref name="secretHash"/> matches a live key (constant-time), else <c>null</c>; records the use.</summary>
    Task<ApiKeyView?> AuthenticateAsync(string keyId, byte[] secretHash);
}

/// <summary>An API key as its company's admins see it: never the secret.</summary>
[GenerateSerializer, Immutable]
public sealed record ApiKeyView(
    [property: Id(0)] string KeyId,
    [property: Id(1)] string Name,
    [property: Id(2)] ImmutableSortedSet<string> Rights,
    [property: Id(3)] DateTimeOffset CreatedAt,
    [property: Id(4)] string CreatedBy,
    [property: Id(5)] DateTimeOffset? LastUsedAt);
