using System.Collections.Immutable;
using OrleansLicensing.Contracts;

namespace OrleansLicensing.Grains.State;

[GenerateSerializer]
public sealed class DeviceState
{
    [Id(0)] public string? CompanyId { get; set; }
    [Id(1)] public string? ProjectId { get; set; }
    [Id(2)] public string? Name { get; set; }
    [Id(3)] public string? Comment { get; set; }
}

/// <summary>The lots bound to a device (R-L1); changed only inside transactions.</summary>
[GenerateSerializer]
public sealed class DeviceLotsState
{
    [Id(0)] public ImmutableArray<LicenseLot> Lots { get; set; } = [];

    /// <summary>Set when the device's licenses were moved to another device (R-L5).</summary>
    [Id(1)] public bool Rma { get; set; }
}
