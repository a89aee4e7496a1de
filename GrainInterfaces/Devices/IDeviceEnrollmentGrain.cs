using System.Collections.Immutable;

namespace OrleansLicensing.Contracts;

/// <summary>
/// Adds a batch of devices to a project (R-D1..R-D3): the listed ones, or every device of a
/// vendor order, with a result per device. Stateless: runs next to the caller.
/// </summary>
public interface IDeviceEnrollmentGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Adds <paramref name="devices"/> and, with <paramref name="orderNumber"/>, every device of
    /// that order (NotFound when the order is unknown). The caller has checked the project.
    /// </summary>
    Task<ImmutableArray<DeviceAddResult>> AddAsync(string companyId, string projectId, ImmutableArray<DeviceAddRequest> devices, string? orderNumber);
}
