using System.Collections.Immutable;
using OrleansLicensing.Contracts;

namespace OrleansLicensing.Grains.State;

[GenerateSerializer]
public sealed class UserState
{
    [Id(0)] public bool Registered { get; set; }
    [Id(1)] public string DisplayName { get; set; } = string.Empty;
    [Id(2)] public string Language { get; set; } = "en";
    [Id(3)] public string PasswordHash { get; set; } = string.Empty;
    [Id(4)] public ImmutableArray<string> CompanyIds { get; set; } = [];
}

[GenerateSerializer]
public sealed class CompanyState
{
    [Id(0)] public bool Created { get; set; }
    [Id(1)] public string Name { get; set; } = string.Empty;
    [Id(2)] public string DefaultProjectId { get; set; } = string.Empty;
    [Id(3)] public ImmutableSortedDictionary<string, Membership> Members { get; set; } = ImmutableSortedDictionary<string, Membership>.Empty;

    /// <summary>Project id → name, the index that keeps names unique per company (R-P1).</summary>
    [Id(4)] public ImmutableSortedDictionary<string, string> Projects { get; set; } = ImmutableSortedDictionary<string, string>.Empty;
}

[GenerateSerializer]
public sealed class ProjectState
{
    [Id(0)] public bool Created { get; set; }
    [Id(1)] public string CompanyId { get; set; } = string.Empty;
    [Id(2)] public string Name { get; set; } = string.Empty;
    [Id(3)] public string? Description { get; set; }
    [Id(4)] public DateOnly? SsaEndDate { get; set; }
    [Id(5)] public ImmutableSortedSet<string> Devices { get; set; } = ImmutableSortedSet<string>.Empty;
}

/// <summary>A project's balance (R-P5); changed only inside transactions.</summary>
[GenerateSerializer]
public sealed class BalanceState
{
    [Id(0)] public ImmutableSortedDictionary<string, int> Licenses { get; set; } = ImmutableSortedDictionary.Create<string, int>(StringComparer.Ordinal);
}

/// <summary>An activation key; changed only inside transactions.</summary>
[GenerateSerializer]
public sealed class ActivationKeyState
{
    [Id(0)] public bool Minted { get; set; }
    [Id(1)] public ImmutableSortedDictionary<string, int> Licenses { get; set; } = ImmutableSortedDictionary.Create<string, int>(StringComparer.Ordinal);
    [Id(2)] public string? OrderNumber { get; set; }
    [Id(3)] public DateTimeOffset MintedAt { get; set; }
    [Id(4)] public string? AssignedCompanyId { get; set; }
    [Id(5)] public string? AssignedProjectId { get; set; }
    [Id(6)] public string? Comment { get; set; }
    [Id(7)] public DateTimeOffset? AssignedAt { get; set; }

    /// <summary>Set for own keys (R-K3): the company and project whose balance paid for it.</summary>
    [Id(8)] public string? OwnerCompanyId { get; set; }
    [Id(9)] public string? OwnerProjectId { get; set; }
    [Id(10)] public string? OwnComment { get; set; }
    [Id(11)] public string? OrderReference { get; set; }
    [Id(12)] public bool Deleted { get; set; }
}

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

/// <summary>Lots returned from devices, waiting in a project (R-V5, R-V6); changed only inside transactions.</summary>
[GenerateSerializer]
public sealed class FreePoolState
{
    [Id(0)] public ImmutableArray<LicenseLot> Lots { get; set; } = [];
}

/// <summary>Minted and consumed units per type (R-C2); changed only inside transactions.</summary>
[GenerateSerializer]
public sealed class MintLedgerState
{
    [Id(0)] public ImmutableSortedDictionary<string, long> Minted { get; set; } = ImmutableSortedDictionary.Create<string, long>(StringComparer.Ordinal);
    [Id(1)] public ImmutableSortedDictionary<string, long> Consumed { get; set; } = ImmutableSortedDictionary.Create<string, long>(StringComparer.Ordinal);
}

[GenerateSerializer]
public sealed class HolderRegistryState
{
    /// <summary>Entries "kind|id", kept sorted so listings are stable.</summary>
    [Id(0)] public ImmutableSortedSet<string> Holders { get; set; } = ImmutableSortedSet.Create<string>(StringComparer.Ordinal);
}

/// <summary>The first outcome of an idempotent request; changed only inside transactions.</summary>
[GenerateSerializer]
public sealed class IdempotencyState
{
    [Id(0)] public string? Fingerprint { get; set; }
    [Id(1)] public object? Result { get; set; }
}
