using System.Collections.Immutable;

namespace OrleansLicensing.Contracts;

/// <summary>
/// An old license manager account's password as the export carries it (docs/import.md):
/// PBKDF2 with HMAC-<see cref="Algorithm"/> (<c>pbkdf2-sha1</c> or <c>pbkdf2-sha256</c>) over the
/// UTF-8 password, <see cref="Iterations"/> rounds, the salt and derived hash in base64.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record LegacyPasswordHash(
    [property: Id(0)] string Algorithm,
    [property: Id(1)] int Iterations,
    [property: Id(2)] string Salt,
    [property: Id(3)] string Hash);

/// <summary>An old account (R-I1): its login, its group and its password hash.</summary>
[GenerateSerializer, Immutable]
public sealed record LegacyAccount(
    [property: Id(0)] string Login,
    [property: Id(1)] string GroupId,
    [property: Id(2)] LegacyPasswordHash Password);

/// <summary>An old group (R-I1): the balance of all its users together, per license type.</summary>
[GenerateSerializer, Immutable]
public sealed record LegacyGroup(
    [property: Id(0)] string GroupId,
    [property: Id(1)] string Name,
    [property: Id(2)] ImmutableSortedDictionary<string, int> Balance);

/// <summary>A license of an old device, created by the old user <see cref="User"/>.</summary>
[GenerateSerializer, Immutable]
public sealed record LegacyLicense(
    [property: Id(0)] string Type,
    [property: Id(1)] int Units,
    [property: Id(2)] string Version,
    [property: Id(3)] DateOnly BindDate,
    [property: Id(4)] string User);

/// <summary>An old device: its MAC (canonical), device type and licenses.</summary>
[GenerateSerializer, Immutable]
public sealed record LegacyDevice(
    [property: Id(0)] string Mac,
    [property: Id(1)] string DeviceType,
    [property: Id(2)] ImmutableArray<LegacyLicense> Licenses)
{
    /// <summary>R-I2: licenses from more than one old user; the device is imported with the warning <c>SeveralUsers</c>.</summary>
    public bool SeveralUsers => Licenses.Select(l => l.User).Distinct(StringComparer.OrdinalIgnoreCase).Skip(1).Any();
}

/// <summary>One part of an export as the vendor sent it; parts are numbered 0 … <see cref="Of"/> − 1.</summary>
[GenerateSerializer, Immutable]
public sealed record LegacyExportPart(
    [property: Id(0)] int Part,
    [property: Id(1)] int Of,
    [property: Id(2)] ImmutableArray<LegacyAccount> Accounts,
    [property: Id(3)] ImmutableArray<LegacyGroup> Groups,
    [property: Id(4)] ImmutableArray<LegacyDevice> Devices);

/// <summary>The load of one export (R-I1): its id and its number of parts, all stored before the load starts.</summary>
[GenerateSerializer, Immutable]
public sealed record LegacyLoadPlan(
    [property: Id(0)] string ExportId,
    [property: Id(1)] int Parts);

/// <summary>How far an export's upload and load stand.</summary>
[GenerateSerializer, Immutable]
public sealed record LegacyExportStatus(
    [property: Id(0)] string ExportId,
    [property: Id(1)] int PartsReceived,
    [property: Id(2)] int Of,
    [property: Id(3)] ProcessStatus Load);

/// <summary>An old group as a company that claimed it sees it (R-I2).</summary>
[GenerateSerializer, Immutable]
public sealed record LegacyGroupView(
    [property: Id(0)] string GroupId,
    [property: Id(1)] string Name,
    [property: Id(2)] ImmutableSortedDictionary<string, int> Balance,
    [property: Id(3)] ImmutableArray<string> Logins,
    [property: Id(4)] int DeviceCount,
    [property: Id(5)] LegacyImportMark? BalanceImported);

/// <summary>Where and when legacy units were imported (R-I2): the mark that refuses a second import.</summary>
[GenerateSerializer, Immutable]
public sealed record LegacyImportMark(
    [property: Id(0)] string CompanyId,
    [property: Id(1)] string ProjectId,
    [property: Id(2)] DateTimeOffset At);

/// <summary>An old device as a claimer sees it: its licenses, whether they come from several users and where it was imported.</summary>
[GenerateSerializer, Immutable]
public sealed record LegacyDeviceView(
    [property: Id(0)] LegacyDevice Device,
    [property: Id(1)] ImmutableArray<string> Groups,
    [property: Id(2)] LegacyImportMark? Imported);

/// <summary>An old device as exported, with the groups of its licenses' users.</summary>
[GenerateSerializer, Immutable]
public sealed record LegacyExportedDevice(
    [property: Id(0)] LegacyDevice Device,
    [property: Id(1)] ImmutableArray<string> Groups);

/// <summary>
/// An import into a project (R-I2): the claimed group's balance (when <see cref="IncludeBalance"/>)
/// and the listed devices; <see cref="GroupId"/> null for one MAC imported by its owner. The import
/// process stores <see cref="Macs"/> once, apart from the plan it saves with every batch, so the plan
/// it keeps and reports has none.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record LegacyImportPlan(
    [property: Id(0)] string CompanyId,
    [property: Id(1)] string ProjectId,
    [property: Id(2)] string? GroupId,
    [property: Id(3)] bool IncludeBalance,
    [property: Id(4)] ImmutableArray<string> Macs);

/// <summary>One device's outcome: <c>imported</c>, <c>warning</c> (imported, code <c>SeveralUsers</c>) or <c>error</c> (e.g. <c>AlreadyImported</c>, <c>AlreadyInCompany</c>).</summary>
[GenerateSerializer, Immutable]
public sealed record LegacyDeviceResult(
    [property: Id(0)] string Mac,
    [property: Id(1)] string Status,
    [property: Id(2)] string? Code,
    [property: Id(3)] ImmutableArray<LicenseLot> Lots);

public static class LegacyDeviceStatus
{
    public const string Imported = "imported";
    public const string Warning = "warning";
    public const string Error = "error";
}

/// <summary>What an import did so far: the balance it minted into the project (null when none), how many devices ended in each status, and one page of the per-device results (in MAC order).</summary>
[GenerateSerializer, Immutable]
public sealed record LegacyImportOutcome(
    [property: Id(0)] ProcessStatus Process,
    [property: Id(1)] LegacyImportPlan Plan,
    [property: Id(2)] ImmutableSortedDictionary<string, int>? Balance,
    [property: Id(3)] ImmutableArray<LegacyDeviceResult> Devices)
{
    /// <summary>Why the balance was not imported when asked for (<c>AlreadyImported</c>); null otherwise.</summary>
    [Id(4)] public string? BalanceCode { get; init; }

    /// <summary>Devices per status (<c>imported</c>, <c>warning</c>, <c>error</c>) over the batches done.</summary>
    [Id(5)] public ImmutableSortedDictionary<string, int> Counts { get; init; } = ImmutableSortedDictionary<string, int>.Empty;

    /// <summary>The position of <see cref="Devices"/> among all results.</summary>
    [Id(6)] public int Offset { get; init; }
}

/// <summary>The import marks of old devices are kept per MAC block (<see cref="ILegacyImportMarkGrain"/>).</summary>
public static class LegacyImportMarks
{
    /// <summary>The block of a canonical MAC: its first five bytes, so a block holds at most 256 devices.</summary>
    public static string BlockOf(string mac) => mac[..14];
}
