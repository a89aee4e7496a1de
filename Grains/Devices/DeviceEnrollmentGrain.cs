using System.Collections.Immutable;
using Orleans.Concurrency;
using OrleansLicensing.Contracts;

namespace OrleansLicensing.Grains.Grains;

[StatelessWorker]
public sealed class DeviceEnrollmentGrain : Grain, IDeviceEnrollmentGrain
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

        return results.ToImmutable();
    }
}
