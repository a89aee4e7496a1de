using System.Collections.Immutable;
using OrleansLicensing.Contracts;

namespace OrleansLicensing.Grains.State;

[GenerateSerializer]
public sealed class LegacyExportPartState
{
    [Id(0)] public LegacyExportPart? Part { get; set; }

    /// <summary>A digest of the stored part, to tell a repeated upload from a different one.</summary>
    [Id(1)] public string? Digest { get; set; }
}

[GenerateSerializer]
public sealed class LegacyExportState
{
    [Id(0)] public int Of { get; set; }

    [Id(1)] public ImmutableSortedSet<int> Received { get; set; } = [];
}

[GenerateSerializer]
public sealed class LegacyAccountState
{
    [Id(0)] public LegacyAccount? Account { get; set; }
}

[GenerateSerializer]
public sealed class LegacyGroupState
{
    [Id(0)] public LegacyGroup? Group { get; set; }

    [Id(1)] public ImmutableSortedSet<string> Logins { get; set; } = ImmutableSortedSet.Create<string>(StringComparer.Ordinal);

    [Id(2)] public ImmutableSortedSet<string> Devices { get; set; } = ImmutableSortedSet.Create<string>(StringComparer.Ordinal);
}

[GenerateSerializer]
public sealed class LegacyDeviceState
{
    [Id(0)] public LegacyDevice? Device { get; set; }

    [Id(1)] public ImmutableArray<string> Groups { get; set; } = [];
}

/// <summary>The import mark of a legacy group's balance (R-I2), in transactional state.</summary>
[GenerateSerializer]
public sealed class LegacyImportState
{
    [Id(0)] public LegacyImportMark? Mark { get; set; }
}

[GenerateSerializer]
public sealed class LegacyClaimsState
{
    [Id(0)] public ImmutableSortedSet<string> Groups { get; set; } = ImmutableSortedSet.Create<string>(StringComparer.Ordinal);
}

/// <summary>What an import into a project did, per batch (a re-run batch overwrites its own entry).</summary>
[GenerateSerializer]
public sealed class LegacyImportWork
{
    /// <summary>The balance minted into the project; null when none was (not asked, or imported before: see <see cref="BalanceCode"/>).</summary>
    [Id(0)] public ImmutableSortedDictionary<string, int>? Balance { get; set; }

    /// <summary>Why the balance was not imported (<c>AlreadyImported</c>), if it was asked for.</summary>
    [Id(1)] public string? BalanceCode { get; set; }

    /// <summary>Per batch (1, 2, …): how many devices ended in each status; the results themselves are in <see cref="LegacyImportBatchState"/>.</summary>
    [Id(2)] public ImmutableSortedDictionary<long, ImmutableSortedDictionary<string, int>> Counts { get; set; } = ImmutableSortedDictionary<long, ImmutableSortedDictionary<string, int>>.Empty;
}

[GenerateSerializer]
public sealed class LegacyImportBatchState
{
    [Id(0)] public ImmutableArray<LegacyDeviceResult> Results { get; set; } = [];
}

/// <summary>The MACs an import into a project works through, in MAC order; written once, when it starts.</summary>
[GenerateSerializer]
public sealed class LegacyImportMacsState
{
    [Id(0)] public ImmutableArray<string> Macs { get; set; } = [];
}

/// <summary>The import marks of the old devices of one MAC block (R-I2), in transactional state.</summary>
[GenerateSerializer]
public sealed class LegacyImportMarksState
{
    [Id(0)] public ImmutableSortedDictionary<string, LegacyImportMark> Marks { get; set; } = ImmutableSortedDictionary.Create<string, LegacyImportMark>(StringComparer.Ordinal);
}
