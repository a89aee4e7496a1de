using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Domain;
using OrleansLicensing.Grains.State;

namespace OrleansLicensing.Grains.Grains;

/// <summary>
/// The vendor's registry entry for one MAC. Batches register in two phases (reserve every MAC,
/// then commit each) through <see cref="HardwareRegistrarGrain"/>; a reservation lives in memory
/// for <see cref="ReservationLifetime"/>, long enough for one request.
/// </summary>
public sealed class HardwareGrain(
    [PersistentState("hardware", StorageNames.Licensing)] IPersistentState<HardwareState> hardware,
    TimeProvider time) : Grain, IHardwareGrain
{
    public static readonly TimeSpan ReservationLifetime = TimeSpan.FromSeconds(30);

    private Reservation? _reservation;

    public async Task<string> RegisterAsync(HardwareRegistration registration, string? secret = null)
    {
        var requestId = Guid.NewGuid();
        var reservation = await ReserveAsync(requestId, registration, secret);
        switch (reservation.Status)
        {
            case HardwareReservationStatus.Replay:
                // A retry of the registration that made this entry: finish what it may not have.
                await GrainFactory.GetGrain<IHardwareOrderGrain>(registration.OrderNumber).AddAsync([registration.Mac]);
                return secret!;
            case HardwareReservationStatus.Refused:
                throw Refusal(registration.Mac, reservation.Code!);
        }

        await GrainFactory.GetGrain<IHardwareOrderGrain>(registration.OrderNumber).AddAsync([registration.Mac]);
        return await CommitAsync(requestId);
    }

    public Task<HardwareReservation> ReserveAsync(Guid requestId, HardwareRegistration registration, string? secret)
    {
        if (hardware.State.Registration is { } existing)
        {
            return Task.FromResult(HardwareRegistrations.IsReplay(existing, registration, secret, hardware.State.SecretHash)
                ? new HardwareReservation(HardwareReservationStatus.Replay, null)
                : new HardwareReservation(HardwareReservationStatus.Refused, ErrorCodes.HardwareAlreadyRegistered));
        }

        var now = time.GetUtcNow();
        if (_reservation is { } held && held.RequestId != requestId && held.Expires > now)
        {
            return Task.FromResult(new HardwareReservation(HardwareReservationStatus.Refused, ErrorCodes.Conflict));
        }

        _reservation = new Reservation(requestId, registration, secret, now + ReservationLifetime);
        return Task.FromResult(new HardwareReservation(HardwareReservationStatus.Reserved, null));
    }

    public async Task<string> CommitAsync(Guid requestId)
    {
        if (_reservation is not { } held || held.RequestId != requestId)
        {
            throw new LicensingException(ErrorCodes.Conflict, $"The registration of {this.GetPrimaryKeyString()} was interrupted; retry the request.");
        }

        var secret = held.Secret ?? Codes.NewDeviceSecret();
        hardware.State.Registration = held.Registration;
        hardware.State.SecretHash = Codes.HashSecret(secret);
        await hardware.WriteStateAsync();
        _reservation = null;

        // No call to the device grain here: it asks this grain (and would deadlock on a cycle);
        // a device that found no registration asks again on its next request.
        return secret;
    }

    public Task ReleaseAsync(Guid requestId)
    {
        if (_reservation?.RequestId == requestId)
        {
            _reservation = null;
        }

        return Task.CompletedTask;
    }

    public Task<HardwareView?> GetAsync() =>
        Task.FromResult(hardware.State.Registration is { } registration ? new HardwareView(registration, hardware.State.SecretHash) : null);

    internal static LicensingException Refusal(string mac, string code) => code == ErrorCodes.HardwareAlreadyRegistered
        ? new LicensingException(code, $"{mac} is already registered; nothing was registered.")
        : new LicensingException(code, $"{mac} is being registered by a concurrent request; nothing was registered.");

    private sealed record Reservation(Guid RequestId, HardwareRegistration Registration, string? Secret, DateTimeOffset Expires);
}
