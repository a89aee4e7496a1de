using System.Collections.Immutable;
using Orleans.Concurrency;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.History;

namespace OrleansLicensing.Grains.Grains;

[StatelessWorker]
public sealed class DeviceEnrollmentGrain(ChangeFeed feed) : Grain, IDeviceEnrollmentGrain
{
    /// <summary>Devices per write of the project's device list.</summary>
    private const int ChunkSize = 500;

    /// <summary>Devices added at once within a chunk.</summary>
    private const int Parallelism = 16;

    public async Task<ImmutableArray<DeviceAddResult>> AddAsync(string companyId, string projectId, ImmutableArray<DeviceAddRequest> devices, string? orderNumber)
    {
        var wanted = devices.ToList();
        if (orderNumber is not null)
        {
            var order = await GrainFactory.GetGrain<IHardwareOrderGrain>(orderNumber).ListAsync();
            if (order.IsEmpty)
            {
                throw LicensingException.NotFound($"Order '{orderNumber}'");
            }

            wanted.AddRange(order.Select(mac => new DeviceAddRequest(mac, null)));
        }

        // R-D3: a result per device in the caller's order. Devices are added a chunk at a time,
        // several at once (each is its own grain and transaction); the project's device list takes
        // each chunk's added devices in one write, not one write per device (R-D1: an order of
        // thousands of devices).
        var distinct = wanted.DistinctBy(d => d.Mac).ToArray();
        var results = ImmutableArray.CreateBuilder<DeviceAddResult>(distinct.Length);
        var project = GrainFactory.GetGrain<IProjectGrain>(projectId);
        foreach (var chunk in distinct.Chunk(ChunkSize))
        {
            var added = new DeviceAddResult[chunk.Length];
            for (var start = 0; start < chunk.Length; start += Parallelism)
            {
                var slice = chunk.AsMemory(start, Math.Min(Parallelism, chunk.Length - start));
                var answers = await Task.WhenAll(slice.ToArray().Select(d => GrainFactory.GetGrain<IDeviceGrain>(d.Mac).AddToProjectAsync(companyId, projectId, d.DeviceSecret, attach: false)));
                answers.CopyTo(added, start);
            }

            // A device already in the company and in this project is listed too: a retry after a
            // request that died between a device's commit and its chunk's list write repairs the list.
            var already = await Task.WhenAll(added.Where(r => r.Code == ErrorCodes.AlreadyInCompany).Select(r => GrainFactory.GetGrain<IDeviceGrain>(r.Mac).GetAsync()));
            var attached = added.Where(r => r.Status != DeviceAddStatus.Error).Select(r => r.Mac)
                .Concat(already.Where(v => v.ProjectId == projectId).Select(v => v.Mac)).ToImmutableArray();
            if (!attached.IsEmpty)
            {
                await project.AttachDevicesAsync(attached);
            }

            results.AddRange(added);
        }

        // One batch for the whole request: one append per chunk of the log, one index notice.
        await feed.RecordAsync([.. results
            .Where(r => r.Status != DeviceAddStatus.Error)
            .Select(r => feed.Event(companyId, HistoryActions.DeviceAdded, projectId, r.Mac, ChangeFeed.Details(("warning", r.Code), ("orderNumber", orderNumber))))]);
        return results.ToImmutable();
    }
}
