using System.ComponentModel.DataAnnotations;

namespace OrleansLicensing.Silo;

public enum StorageProvider
{
    /// <summary>Single node: an SQLite file in the data directory, localhost clustering.</summary>
    Sqlite,

    /// <summary>Tests only: nothing survives the process.</summary>
    Memory,

    /// <summary>Cluster: grain state, reminders and membership in one PostgreSQL database (Npgsql).</summary>
    PostgreSql,
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

    /// <summary>PostgreSQL: the Npgsql connection string (prefer <see cref="ConnectionStringFile"/> for the password).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>PostgreSQL: a file holding the connection string (a mounted secret); read once at start.</summary>
    public string? ConnectionStringFile { get; set; }

    /// <summary>The PostgreSQL connection string from <see cref="ConnectionString"/> or <see cref="ConnectionStringFile"/>.</summary>
    public string ResolveConnectionString()
    {
        if (!string.IsNullOrWhiteSpace(ConnectionString))
        {
            return ConnectionString;
        }

        if (!string.IsNullOrWhiteSpace(ConnectionStringFile))
        {
            return File.ReadAllText(ConnectionStringFile).Trim();
        }

        throw new Microsoft.Extensions.Options.OptionsValidationException(Section, typeof(StorageSettings),
            [$"Storage:Provider {Provider} needs Storage:ConnectionString or Storage:ConnectionStringFile."]);
    }

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

    /// <summary>
    /// Cluster (PostgreSQL): the address this silo publishes in the membership table for other
    /// silos and gateways to reach it; unset, Orleans picks an address of this host.
    /// </summary>
    public string? AdvertisedAddress { get; set; }

    /// <summary>Cluster: seconds between the liveness probes a silo sends to others (Orleans default 5).</summary>
    [Range(1, 60)]
    public int ProbeSeconds { get; set; } = 2;

    /// <summary>Cluster: missed probes after which a silo suspects another (Orleans default 3).</summary>
    [Range(1, 10)]
    public int MissedProbesLimit { get; set; } = 3;

    /// <summary>
    /// How long a device grain stays in memory without a call (a poll, a change). A device that
    /// polls more often stays (its poll is answered from memory); an idle one is deactivated.
    /// </summary>
    [Range(typeof(TimeSpan), "00:02:00", "7.00:00:00")]
    public TimeSpan DeviceCollectionAge { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>When the process nears its memory limit, Orleans deactivates the least recently used grains first.</summary>
    public bool ShedActivationsOnMemoryPressure { get; set; } = true;
}

/// <summary>Configuration section <c>Licensing</c> as a silo reads it (the gateway reads its own keys from the same section).</summary>
public sealed class LicensingSettings
{
    public const string Section = "Licensing";

    /// <summary>PEM file with the ECDSA P-256 key that signs license files; generated when unset (single node).</summary>
    public string? SigningKeyPath { get; set; }

    /// <summary>The signing key as PEM text (e.g. from a secret store's environment variable), instead of <see cref="SigningKeyPath"/>.</summary>
    public string? SigningKeyPem { get; set; }

    /// <summary>
    /// PEM files (public or private) of keys that signed license files before a rotation: they no
    /// longer sign but stay published by <c>/api/v1/catalog/signing-key</c>, so older files keep verifying.
    /// </summary>
    public List<string> PreviousSigningKeyPaths { get; set; } = [];

    /// <summary>Key that derives the device secrets of idempotent hardware registrations (decision D18); generated when unset (single node).</summary>
    public string? DeviceSecretKey { get; set; }

    /// <summary>How often the conservation audit runs for the <c>licensing.audit.difference</c> gauge.</summary>
    [Range(10, 24 * 3600)]
    public int AuditIntervalSeconds { get; set; } = 300;
}
