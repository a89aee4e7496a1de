using System.Collections.Immutable;
using Orleans.Concurrency;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.History;

namespace OrleansLicensing.Grains.Grains;

[StatelessWorker]
public sealed class DeviceEnrollmentGrain(ChangeFeed feed) : Grain, IDeviceEnrollmentGrain
{
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

        // One device after the other: each add changes two projects' device lists, and R-D3
        // wants a result per device in the caller's order.
        var results = ImmutableArray.CreateBuilder<DeviceAddResult>(wanted.Count);
        foreach (var device in wanted.DistinctBy(d => d.Mac))
        {
            results.Add(await GrainFactory.GetGrain<IDeviceGrain>(device.Mac).AddToProjectAsync(companyId, projectId, device.DeviceSecret));
        }

        // One batch for the whole request: one append per chunk of the log, one index notice.
        await feed.RecordAsync([.. results
            .Where(r => r.Status != DeviceAddStatus.Error)
            .Select(r => feed.Event(companyId, HistoryActions.DeviceAdded, projectId, r.Mac, ChangeFeed.Details(("warning", r.Code), ("orderNumber", orderNumber))))]);
        return results.ToImmutable();
    }
}
