using System.Collections.Immutable;
using OrleansLicensing.Contracts;

namespace OrleansLicensing.Grains.State;

[GenerateSerializer]
public sealed class CompanyApiKeysState
{
    [Id(0)] public ImmutableDictionary<string, StoredApiKey> Keys { get; set; } = ImmutableDictionary<string, StoredApiKey>.Empty.WithComparers(StringComparer.Ordinal);
}

/// <summary>A key as stored: its view and the SHA-256 of its secret (never the secret).</summary>
[GenerateSerializer, Immutable]
public sealed record StoredApiKey(
    [property: Id(0)] ApiKeyView View,
    [property: Id(1)] byte[] SecretHash);
