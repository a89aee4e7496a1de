using System.ComponentModel.DataAnnotations;

namespace OrleansLicensing.Silo;

public enum StorageProvider
{
    /// <summary>Single node: an SQLite file in the data directory, localhost clustering.</summary>
    Sqlite,

    /// <summary>Tests only: nothing survives the process.</summary>
    Memory,
}

/// <summary>How SQLite makes a commit durable (its <c>synchronous</c> setting in WAL mode).</summary>
public enum SqliteSynchronous
{
    /// <summary>Every commit is on disk before it is acknowledged: nothing committed is lost, even on power loss.</summary>
    Full,

    /// <summary>Commits reach the disk at checkpoints: safe across process crashes, the last commits can be lost on power loss or an OS crash.</summary>
    Normal,
}

/// <summary>Configuration section <c>Storage</c>.</summary>
public sealed class StorageSettings
{
    public const string Section = "Storage";

    public StorageProvider Provider { get; set; } = StorageProvider.Sqlite;

    /// <summary>Where the single node keeps its database and generated secrets.</summary>
    [Required]
    public string DataDirectory { get; set; } = "./data";

    /// <summary>Seconds an SQLite command waits for a lock before failing.</summary>
    [Range(1, 600)]
    public int SqliteBusyTimeoutSeconds { get; set; } = 30;

    /// <summary>Durability of a commit; <see cref="SqliteSynchronous.Full"/> unless the operator accepts the risk (decision D19).</summary>
    public SqliteSynchronous SqliteSynchronous { get; set; } = SqliteSynchronous.Full;

    /// <summary>The SQLite file (a method, so options validation does not evaluate it before <see cref="DataDirectory"/> is known to be set).</summary>
    public string DatabasePath() => Path.Combine(Path.GetFullPath(DataDirectory), "licensing.db");
}

/// <summary>Configuration section <c>Orleans</c>: the silo's identity and ports.</summary>
public sealed class SiloSettings
{
    public const string Section = "Orleans";

    [Required]
    public string ServiceId { get; set; } = "orleans-licensing";

    [Required]
    public string ClusterId { get; set; } = "single-node";

    [Range(1, 65535)]
    public int SiloPort { get; set; } = 11111;

    [Range(1, 65535)]
    public int GatewayPort { get; set; } = 30000;
}

/// <summary>Configuration section <c>Licensing</c> as a silo reads it (the gateway reads its own keys from the same section).</summary>
public sealed class LicensingSettings
{
    public const string Section = "Licensing";

    /// <summary>PEM file with the ECDSA P-256 key that signs license files; generated when unset (single node).</summary>
    public string? SigningKeyPath { get; set; }

    /// <summary>Key that derives the device secrets of idempotent hardware registrations (decision D18); generated when unset (single node).</summary>
    public string? DeviceSecretKey { get; set; }

    /// <summary>How often the conservation audit runs for the <c>licensing.audit.difference</c> gauge.</summary>
    [Range(10, 24 * 3600)]
    public int AuditIntervalSeconds { get; set; } = 300;
}
