using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.State;

namespace OrleansLicensing.Grains.Grains;

/// <inheritdoc cref="IDeviceClaimGrain"/>
public sealed class DeviceClaimGrain(
    [PersistentState("deviceClaim", StorageNames.Licensing)] IPersistentState<DeviceClaimState> claim,
    TimeProvider time) : Grain, IDeviceClaimGrain
{
    public async Task<DateTimeOffset> ClaimAsync(string deviceSecret, string companyId)
    {
        var hardware = await GrainFactory.GetGrain<IHardwareGrain>(this.GetPrimaryKeyString()).GetAsync();
        if (hardware is null || !Codes.SecretMatches(deviceSecret, hardware.SecretHash))
        {
            throw new LicensingException(ErrorCodes.Unauthorized, "The device's MAC and secret do not match a registered device.");
        }

        // The company must exist (NotFound otherwise): a claim for a mistyped id would silently wait.
        await GrainFactory.GetGrain<ICompanyGrain>(companyId).GetAsync();
        claim.State.CompanyId = companyId;
        claim.State.Expires = time.GetUtcNow() + IDeviceClaimGrain.Lifetime;
        await claim.WriteStateAsync();
        return claim.State.Expires;
    }

    public Task<bool> IsClaimedByAsync(string companyId) =>
        Task.FromResult(claim.State.CompanyId == companyId && claim.State.Expires > time.GetUtcNow());

    public async Task ConsumeAsync(string companyId)
    {
        if (claim.State.CompanyId == companyId)
        {
            claim.State.CompanyId = null;
            await claim.WriteStateAsync();
        }
    }
}
