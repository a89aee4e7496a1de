using System.Collections.Immutable;
using OrleansLicensing.Contracts;

namespace OrleansLicensing.Grains.State;

/// <summary>The RMA of one device (R-D7): the current or last one.</summary>
[GenerateSerializer]
public sealed class RmaState
{
    [Id(0)] public RmaView? Current { get; set; }
}

/// <summary>The MACs a company requested RMA for.</summary>
[GenerateSerializer]
public sealed class CompanyRmaState
{
    [Id(0)] public ImmutableSortedSet<string> Macs { get; set; } = ImmutableSortedSet<string>.Empty;
}

/// <summary>A device's own claim naming the company that may add it without its secret (R-D2).</summary>
[GenerateSerializer]
public sealed class DeviceClaimState
{
    [Id(0)] public string? CompanyId { get; set; }
    [Id(1)] public DateTimeOffset Expires { get; set; }
}
