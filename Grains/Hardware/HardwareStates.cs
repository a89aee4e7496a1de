using System.Collections.Immutable;
using OrleansLicensing.Contracts;

namespace OrleansLicensing.Grains.State;

[GenerateSerializer]
public sealed class HardwareState
{
    [Id(0)] public HardwareRegistration? Registration { get; set; }
    [Id(1)] public byte[] SecretHash { get; set; } = [];
}

[GenerateSerializer]
public sealed class HardwareOrderState
{
    [Id(0)] public ImmutableSortedSet<string> Macs { get; set; } = ImmutableSortedSet<string>.Empty;
}
