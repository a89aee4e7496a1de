using System.Collections.Immutable;
using Orleans.Concurrency;

namespace OrleansLicensing.Contracts;

/// <summary>A device as a license holder and a member of at most one project (R-D2, R-L*).</summary>
public interface IDeviceGrain : IGrainWithStringKey
{
    /// <summary>Adds the device to a project of a company, enforcing R-D2.</summary>
    Task<DeviceAddResult> AddToProjectAsync(string companyId, string projectId, string? deviceSecret);

    Task<DeviceView> GetAsync();

    /// <summary>
    /// Appends lots inside the caller's transaction; the device must be in the company. With
    /// <paramref name="requireEmpty"/> the device may hold nothing but warranty lots
    /// (<see cref="ErrorCodes.TargetHasLicenses"/>), checked under the same lock as the write (R-L5).
    /// </summary>
    [Transaction(TransactionOption.Join)]
    Task<ImmutableArray<LicenseLot>> AddLotsAsync(string companyId, ImmutableArray<LicenseLot> lots, bool requireEmpty = false);

    /// <summary>Removes the selected lots; moving everything but warranty marks the device RMA (R-L5).</summary>
    [Transaction(TransactionOption.Join)]
    Task<ImmutableArray<LicenseLot>> TakeLotsAsync(string companyId, LotSelection selection, ImmutableArray<string> lotIds);

    [Transaction(TransactionOption.CreateOrJoin)]
    Task<Holding> GetHoldingAsync();

    [Transaction(TransactionOption.CreateOrJoin)]
    Task<ImmutableArray<LicenseLot>> GetLotsAsync();

    /// <summary>Rebuilds the cached poll answer from committed state (called after a commit).</summary>
    Task RefreshAsync();

    /// <summary>The device poll (R-C3): answered from memory, no storage read, no transaction.</summary>
    [ReadOnly]
    Task<DevicePollResponse> PollAsync(string deviceSecret, string? ifNoneMatch);
}
