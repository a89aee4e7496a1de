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
