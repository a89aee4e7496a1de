namespace OrleansLicensing.Contracts;

/// <summary>What the vendor registers for one shipped device (R-D1).</summary>
[GenerateSerializer, Immutable]
public sealed record HardwareRegistration(
    [property: Id(0)] string Mac,
    [property: Id(1)] string DeviceType,
    [property: Id(2)] string OrderNumber,
    [property: Id(3)] DateOnly ShipDate,
    [property: Id(4)] string? CertificatePublicKey);

/// <summary>The vendor's record of a shipped device, without its secret.</summary>
[GenerateSerializer, Immutable]
public sealed record HardwareView(
    [property: Id(0)] HardwareRegistration Registration,
    [property: Id(1)] byte[] SecretHash);

/// <summary>A registered device and the secret it authenticates with (shown once).</summary>
[GenerateSerializer, Immutable]
public sealed record RegisteredHardware(
    [property: Id(0)] string Mac,
    [property: Id(1)] string DeviceSecret);

public enum HardwareReservationStatus
{
    /// <summary>Held for the request; commit or release follows.</summary>
    Reserved = 0,

    /// <summary>Already registered exactly so, with the same derived secret: an idempotent retry.</summary>
    Replay = 1,

    /// <summary>Registered differently, or held by another request.</summary>
    Refused = 2,
}

[GenerateSerializer, Immutable]
public sealed record HardwareReservation(
    [property: Id(0)] HardwareReservationStatus Status,
    [property: Id(1)] string? Code);
