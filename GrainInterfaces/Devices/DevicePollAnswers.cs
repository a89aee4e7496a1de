using System.Collections.Concurrent;

namespace OrleansLicensing.Contracts;

/// <summary>
/// The poll answers of the device grains active in this process, published by the grains
/// themselves, so a gateway in the same process (the co-hosted node) answers a poll from the
/// device grain's memory without a grain call (R-C3; docs/benchmarks.md measures what the call
/// costs). A <see cref="DeviceGrainAnswer"/> is exactly what the grain's own poll would answer
/// from: the device's secret hash, ETag and pre-built body.
/// </summary>
/// <remarks>
/// A grain publishes its answer only while it is settled: activated, registration known, and no
/// written state waiting for its commit notice. It withdraws the answer when a transaction writes
/// its state (until the commit notice, polls go to the grain, which also catches up when a notice
/// is overdue), and when it deactivates. Publishing and withdrawing happen inside the grain's
/// turn, when its own answer changes, so the table is never behind the grain. A process without
/// the device's activation (a separate gateway, another silo of the cluster) has no entry and
/// makes the grain call. Entries answer a device's polls for <see cref="TouchInterval"/> at a
/// time; then one poll goes to the grain, which keeps the activation from being collected as idle
/// (Orleans counts calls, not table hits).
/// </remarks>
public sealed class DevicePollAnswers
{
    /// <summary>How long the table answers a device's polls before one of them goes to the grain again.</summary>
    public static readonly TimeSpan TouchInterval = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, Entry> _answers = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly long _touchTicks;

    public DevicePollAnswers(TimeProvider time)
    {
        _time = time;
        _touchTicks = (long)(TouchInterval.TotalSeconds * time.TimestampFrequency);
    }

    /// <summary>Devices whose answer is published.</summary>
    public int Count => _answers.Count;

    /// <summary>Called by the device grain (in its turn) with its current answer.</summary>
    public void Publish(string mac, DeviceGrainAnswer answer) =>
        _answers[mac] = new Entry(answer, _time.GetTimestamp() + _touchTicks);

    /// <summary>Called by the device grain (in its turn) when its answer is not to be served without it.</summary>
    public void Withdraw(string mac) => _answers.TryRemove(mac, out _);

    /// <summary>
    /// The published answer of <paramref name="mac"/> (canonical), or null when the poll has to go
    /// to the grain: none published, or the entry's turn to touch the grain has come.
    /// </summary>
    public DeviceGrainAnswer? Find(string mac)
    {
        if (!_answers.TryGetValue(mac, out var entry))
        {
            return null;
        }

        var now = _time.GetTimestamp();
        var due = Volatile.Read(ref entry.TouchAt);
        if (now < due)
        {
            return entry.Answer;
        }

        // One poll (whichever moves the time on first) goes to the grain; the others stay here.
        return Interlocked.CompareExchange(ref entry.TouchAt, now + _touchTicks, due) == due ? null : entry.Answer;
    }

    /// <summary>RFC 9110 If-None-Match: a list of entity tags (weak ones compare weakly) or <c>*</c>; no allocation.</summary>
    public static bool Matches(string? ifNoneMatch, string etag)
    {
        var rest = ifNoneMatch.AsSpan();
        while (!rest.IsEmpty)
        {
            var comma = rest.IndexOf(',');
            var candidate = (comma < 0 ? rest : rest[..comma]).Trim();
            rest = comma < 0 ? default : rest[(comma + 1)..];
            if (candidate.StartsWith("W/", StringComparison.Ordinal))
            {
                candidate = candidate[2..];
            }

            if (candidate is "*" || candidate.SequenceEqual(etag))
            {
                return true;
            }
        }

        return false;
    }

    private sealed class Entry(DeviceGrainAnswer answer, long touchAt)
    {
        public readonly DeviceGrainAnswer Answer = answer;
        public long TouchAt = touchAt;
    }
}

/// <summary>A device grain's poll answer as published in <see cref="DevicePollAnswers"/>.</summary>
public sealed record DeviceGrainAnswer(byte[] SecretHash, string ETag, byte[] Body)
{
    private static readonly DevicePollResponse Unauthorized = new(DevicePollStatus.Unauthorized, null, null);

    private readonly DevicePollResponse _ok = new(DevicePollStatus.Ok, ETag, Body);
    private readonly DevicePollResponse _notModified = new(DevicePollStatus.NotModified, ETag, null);

    /// <summary>The poll's answer to a device presenting <paramref name="secret"/> and <paramref name="ifNoneMatch"/> — as the grain answers.</summary>
    public DevicePollResponse Answer(string secret, string? ifNoneMatch) =>
        !Codes.SecretMatches(secret, SecretHash) ? Unauthorized
        : DevicePollAnswers.Matches(ifNoneMatch, ETag) ? _notModified
        : _ok;
}
