using System.Collections.Immutable;
using Orleans.Concurrency;
using OrleansLicensing.Contracts;

namespace OrleansLicensing.Grains.Grains;

/// <summary>
/// Registers a batch of shipped hardware in two phases: reserve every MAC in ascending order
/// (two overlapping batches cannot both fail: each waits for nothing and the one holding the
/// lowest shared MAC proceeds), then record the order and commit each device.
/// </summary>
[StatelessWorker]
public sealed class HardwareRegistrarGrain(HardwareSecrets hardwareSecrets) : Grain, IHardwareRegistrarGrain
{
    private const int CommitParallelism = 16;

    public async Task<ImmutableArray<RegisteredHardware>> RegisterAsync(ImmutableArray<HardwareRegistration> devices, string? idempotencyScope)
    {
        var requestId = Guid.NewGuid();
        var ordered = devices.OrderBy(d => d.Mac, StringComparer.Ordinal).ToArray();
        var secrets = ordered.ToDictionary(d => d.Mac, d => idempotencyScope is null ? null : hardwareSecrets.DerivedSecret(idempotencyScope, d.Mac), StringComparer.Ordinal);

        var reserved = new List<IHardwareGrain>(ordered.Length);
        var replayed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var device in ordered)
        {
            var grain = GrainFactory.GetGrain<IHardwareGrain>(device.Mac);
            var reservation = await grain.ReserveAsync(requestId, device, secrets[device.Mac]);
            switch (reservation.Status)
            {
                case HardwareReservationStatus.Reserved:
                    reserved.Add(grain);
                    break;
                case HardwareReservationStatus.Replay:
                    replayed.Add(device.Mac);
                    break;
                default:
                    await Task.WhenAll(reserved.Select(r => r.ReleaseAsync(requestId)));
                    throw HardwareGrain.Refusal(device.Mac, reservation.Code!);
            }
        }

        var registered = await CommitAsync(requestId, ordered, reserved);

        foreach (var mac in replayed)
        {
            registered[mac] = secrets[mac]!;
        }

        // Answer in the caller's order.
        return [.. devices.Select(d => new RegisteredHardware(d.Mac, registered[d.Mac]))];
    }

    public async Task<ImmutableArray<string>> RegisterEachAsync(ImmutableArray<HardwareRegistration> devices)
    {
        var requestId = Guid.NewGuid();
        var ordered = devices.DistinctBy(d => d.Mac, StringComparer.Ordinal).OrderBy(d => d.Mac, StringComparer.Ordinal).ToArray();
        var reservations = await Task.WhenAll(ordered.Select(async device =>
        {
            var grain = GrainFactory.GetGrain<IHardwareGrain>(device.Mac);
            var reservation = await grain.ReserveAsync(requestId, device, null);
            return (Device: device, Grain: grain, reservation.Status);
        }));

        var reserved = reservations.Where(r => r.Status == HardwareReservationStatus.Reserved).ToArray();
        var registered = await CommitAsync(requestId, [.. reserved.Select(r => r.Device)], [.. reserved.Select(r => r.Grain)]);
        return [.. registered.Keys.Order(StringComparer.Ordinal)];
    }

    /// <summary>
    /// Records the devices under their order numbers, then commits the reserved grains. The order
    /// index first: should a commit fail, the order lists a MAC that is not registered (an add by
    /// order reports it NotFound), never a registered MAC it misses.
    /// </summary>
    private async Task<Dictionary<string, string>> CommitAsync(Guid requestId, IReadOnlyList<HardwareRegistration> devices, IReadOnlyList<IHardwareGrain> reserved)
    {
        foreach (var order in devices.GroupBy(d => d.OrderNumber, StringComparer.Ordinal))
        {
            await GrainFactory.GetGrain<IHardwareOrderGrain>(order.Key).AddAsync([.. order.Select(d => d.Mac)]);
        }

        var registered = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var chunk in reserved.Chunk(CommitParallelism))
        {
            var committed = await Task.WhenAll(chunk.Select(async grain => (Mac: grain.GetPrimaryKeyString(), Secret: await grain.CommitAsync(requestId))));
            foreach (var (mac, secret) in committed)
            {
                registered[mac] = secret;
            }
        }

        return registered;
    }
}
