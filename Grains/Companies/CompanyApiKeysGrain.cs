using System.Collections.Immutable;
using System.Security.Cryptography;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.State;

namespace OrleansLicensing.Grains.Grains;

/// <summary>A company's API keys (see <see cref="ICompanyApiKeysGrain"/>).</summary>
public sealed class CompanyApiKeysGrain(
    [PersistentState("apiKeys", StorageNames.Licensing)] IPersistentState<CompanyApiKeysState> keys,
    TimeProvider time) : Grain, ICompanyApiKeysGrain
{
    /// <summary>The last use is stored at most this often per key (each use is one grain call, not one write).</summary>
    public static readonly TimeSpan LastUseResolution = TimeSpan.FromMinutes(1);

    /// <summary>Live keys per company.</summary>
    public const int MaxKeys = 100;

    public async Task<ApiKeyView> CreateAsync(string actorEmail, string keyId, string name, ImmutableSortedSet<string> rights, byte[] secretHash)
    {
        if (keys.State.Keys.Count >= MaxKeys)
        {
            throw new LicensingException(ErrorCodes.Conflict, $"A company has at most {MaxKeys} API keys; revoke one first.");
        }

        if (keys.State.Keys.ContainsKey(keyId))
        {
            throw new LicensingException(ErrorCodes.Conflict, "The API key id exists.");
        }

        var key = new StoredApiKey(new ApiKeyView(keyId, name, rights, time.GetUtcNow(), actorEmail, null), secretHash);
        keys.State.Keys = keys.State.Keys.Add(keyId, key);
        await keys.WriteStateAsync();
        return key.View;
    }

    public Task<ImmutableArray<ApiKeyView>> ListAsync() =>
        Task.FromResult(keys.State.Keys.Values.Select(k => k.View).OrderBy(k => k.CreatedAt).ThenBy(k => k.KeyId, StringComparer.Ordinal).ToImmutableArray());

    public async Task RevokeAsync(string actorEmail, string keyId)
    {
        if (!keys.State.Keys.ContainsKey(keyId))
        {
            throw LicensingException.NotFound("The API key");
        }

        keys.State.Keys = keys.State.Keys.Remove(keyId);
        await keys.WriteStateAsync();
    }

    public async Task<ApiKeyView?> AuthenticateAsync(string keyId, byte[] secretHash)
    {
        if (!keys.State.Keys.TryGetValue(keyId, out var key) || !CryptographicOperations.FixedTimeEquals(key.SecretHash, secretHash))
        {
            return null;
        }

        var now = time.GetUtcNow();
        if (key.View.LastUsedAt is not { } last || now - last >= LastUseResolution)
        {
            key = key with { View = key.View with { LastUsedAt = now } };
            keys.State.Keys = keys.State.Keys.SetItem(keyId, key);
            await keys.WriteStateAsync();
        }

        return key.View;
    }
}
