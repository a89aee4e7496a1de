using Orleans.Storage;

namespace OrleansLicensing.Silo;

/// <summary>
/// Lets any string be (part of) a grain key with the AdoNet storage provider.
/// </summary>
/// <remarks>
/// Orleans' AdoNet provider (10.4.2, <c>AdoGrainKey.ToString()</c>) passes the grain key to
/// <c>string.Format</c> as the composite-format string. The key is stored verbatim, but after a
/// successful write the provider formats the key for its version check, so a key holding
/// <c>{</c> or <c>}</c> (an e-mail <c>a{0}@x.ch</c>, an order number <c>SO-{7}</c>) throws a
/// <see cref="FormatException"/> <em>after</em> the row was written: the caller gets a 500 while
/// the state exists. Clearing fails the same way.
/// <para>
/// This wrapper hands the provider a key whose braces are doubled (<c>{</c> → <c>{{</c>,
/// <c>}</c> → <c>}}</c>) — the composite-format escape, so the provider's formatting renders
/// the original key. The mapping is the identity on keys without braces (every row written
/// so far stays where it is) and injective (a brace-free key cannot collide with an escaped
/// one, which always contains a brace; doubling is reversible), so no two grains share a row.
/// Braces are ASCII, and UTF-8 never uses their byte values inside a multi-byte character, so
/// the escape works on the key's bytes. Transactional state reaches storage through the same
/// <see cref="IGrainStorage"/>, so it is covered too.
/// </para>
/// </remarks>
public sealed class FormatSafeGrainKeyStorage(IGrainStorage inner) : IGrainStorage
{
    private const byte OpenBrace = (byte)'{';
    private const byte CloseBrace = (byte)'}';

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ReadStateAsync(stateName, Escape(grainId), grainState);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.WriteStateAsync(stateName, Escape(grainId), grainState);

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ClearStateAsync(stateName, Escape(grainId), grainState);

    /// <summary>The id the provider sees: unchanged unless the key holds a brace.</summary>
    public static GrainId Escape(GrainId grainId)
    {
        var key = grainId.Key.AsSpan();
        var braces = key.Count(OpenBrace) + key.Count(CloseBrace);
        if (braces == 0)
        {
            return grainId;
        }

        var escaped = new byte[key.Length + braces];
        var at = 0;
        foreach (var b in key)
        {
            escaped[at++] = b;
            if (b is OpenBrace or CloseBrace)
            {
                escaped[at++] = b;
            }
        }

        return GrainId.Create(grainId.Type, new IdSpan(escaped));
    }
}
