using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Domain;
using OrleansLicensing.Grains.State;

namespace OrleansLicensing.Grains.Grains;

public sealed class HardwareGrain(
    [PersistentState("hardware", StorageNames.Licensing)] IPersistentState<HardwareState> hardware) : Grain, IHardwareGrain
{
    public async Task<string> RegisterAsync(HardwareRegistration registration, string? secret = null)
    {
        if (hardware.State.Registration is { } existing)
        {
            if (!HardwareRegistrations.IsReplay(existing, registration, secret, hardware.State.SecretHash))
            {
                throw new LicensingException(ErrorCodes.HardwareAlreadyRegistered, $"{registration.Mac} is already registered.");
            }

            // A retry of the registration that made this entry: finish what it may not have.
            await GrainFactory.GetGrain<IHardwareOrderGrain>(registration.OrderNumber).AddAsync(registration.Mac);
            return secret!;
        }

        secret ??= Codes.NewDeviceSecret();
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
