using System.Collections.Concurrent;

namespace OrleansLicensing.Gateway.Apis;

/// <summary>
/// The per-device poll limit (<c>Gateway:RateLimits:DevicePollsPerMinute</c>): at most that many
/// polls of one MAC per minute window. It replaces a <c>PartitionedRateLimiter</c> of token
/// buckets, which took one process-wide lock on every poll (contended under load: a share of the
/// node's lock waits in the profile), allocated a lease per poll, and walked every device's bucket
/// ten times a second to replenish it — a cost growing with the fleet, not with the polls. Here a
/// poll is one dictionary lookup and a lock on the device's own counter; windows of devices that
/// stopped polling are dropped once a minute.
/// </summary>
public sealed class DevicePollLimiter : IDisposable
{
    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly ITimer _sweep;

    public DevicePollLimiter(int permitsPerMinute, TimeProvider time)
    {
        PermitsPerMinute = Math.Max(1, permitsPerMinute);
        _time = time;
        _sweep = time.CreateTimer(_ => Sweep(), null, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
    }

    public int PermitsPerMinute { get; }

    /// <summary>The devices with a live window (those that polled in this or the previous minute).</summary>
    public int Tracked => _windows.Count;

    /// <summary>Counts one poll of <paramref name="mac"/>; <c>false</c> when the device used up its minute.</summary>
    public bool TryAcquire(string mac)
    {
        var minute = CurrentMinute();
        var window = _windows.GetOrAdd(mac, static _ => new Window());
        lock (window)
        {
            if (window.Minute != minute)
            {
                window.Minute = minute;
                window.Count = 0;
            }

            if (window.Count >= PermitsPerMinute)
            {
                return false;
            }

            window.Count++;
            return true;
        }
    }

    public void Dispose() => _sweep.Dispose();

    /// <summary>Drops the windows of devices that have not polled since the previous minute.</summary>
    public void Sweep()
    {
        var stale = CurrentMinute() - 1;
        foreach (var entry in _windows)
        {
            if (Volatile.Read(ref entry.Value.Minute) < stale)
            {
                _windows.TryRemove(entry);
            }
        }
    }

    private long CurrentMinute() => _time.GetUtcNow().ToUnixTimeSeconds() / 60;

    private sealed class Window
    {
        public long Minute = long.MinValue;
        public int Count;
    }
}
