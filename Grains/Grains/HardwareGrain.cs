using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Domain;
using OrleansLicensing.Grains.State;

namespace OrleansLicensing.Grains.Grains;

public sealed class HardwareGrain(
    [PersistentState("hardware", StorageNames.Licensing)] IPersistentState<HardwareState> hardware) : Grain, IHardwareGrain
{
    public async Task<string> RegisterAsync(HardwareRegistration registration)
    {
        if (hardware.State.Registration is not null)
        {
            throw new LicensingException(ErrorCodes.HardwareAlreadyRegistered, $"{registration.Mac} is already registered.");
        }

        var secret = Codes.NewDeviceSecret();
        hardware.State.Registration = registration;
        hardware.State.SecretHash = Codes.HashSecret(secret);
        await hardware.WriteStateAsync();

        await GrainFactory.GetGrain<IHardwareOrderGrain>(registration.OrderNumber).AddAsync(registration.Mac);

        // No call to the device grain here: it asks this grain (and would deadlock on a cycle);
        // a device that found no registration asks again on its next request.
        return secret;
    }

    public Task<HardwareView?> GetAsync() =>
        Task.FromResult(hardware.State.Registration is { } registration ? new HardwareView(registration, hardware.State.SecretHash) : null);
}
