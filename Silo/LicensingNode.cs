using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Dashboard;
using Orleans.Serialization;
using Orleans.Storage;
using OrleansLicensing.Grains;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Domain;
using OrleansLicensing.Grains.Mail;
using OrleansLicensing.Silo.Mail;

namespace OrleansLicensing.Silo;

/// <summary>
/// Hosts the licensing silo: clustering for a single node here, and — shared with test
/// clusters — storage, reminders, transactions and the services grains depend on.
/// </summary>
public static class LicensingNode
{
    /// <summary>The invariant that selects the AdoNet providers' SQLite dialect (see SPEC §2).</summary>
    public const string SqliteInvariant = "System.Data.SQLite";

    /// <summary>The provider the instrumented <see cref="StorageNames.Licensing"/> storage wraps.</summary>
    public const string InnerStorageName = "licensing-store";

    /// <summary>Single node: the silo in this host, localhost clustering, settings from configuration.</summary>
    public static IHostApplicationBuilder AddLicensingSilo(this IHostApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var storage = Bind<StorageSettings>(configuration, StorageSettings.Section);

        // A relative data directory lives under the content root (the binary's directory), not
        // wherever the process happened to be started (docs/operations.md).
        if (!Path.IsPathRooted(storage.DataDirectory))
        {
            storage.DataDirectory = Path.GetFullPath(Path.Combine(builder.Environment.ContentRootPath, storage.DataDirectory));
            configuration[$"{StorageSettings.Section}:{nameof(StorageSettings.DataDirectory)}"] = storage.DataDirectory;
        }

        if (storage.Provider == StorageProvider.PostgreSql)
        {
            // Every silo of a cluster must derive the same device secrets and sign with the same
            // key, so nothing is generated per process: the operator provides both.
            var missing = new[] { "Licensing:DeviceSecretKey", "Licensing:SigningKeyPath" }
                .Where(k => string.IsNullOrWhiteSpace(configuration[k]) && !(k == "Licensing:SigningKeyPath" && !string.IsNullOrWhiteSpace(configuration["Licensing:SigningKeyPem"])))
                .ToArray();
            if (missing.Length > 0)
            {
                throw new OptionsValidationException(LicensingSettings.Section, typeof(LicensingSettings), [$"Storage:Provider PostgreSql (a cluster) needs {string.Join(" and ", missing)}, the same on every silo."]);
            }
        }
        else
        {
            LocalSecrets.FillUnconfigured(builder, storage);
        }

        var licensing = Bind<LicensingSettings>(configuration, LicensingSettings.Section);
        var siloSettings = Bind<SiloSettings>(configuration, SiloSettings.Section);

        builder.Services.AddOptions<StorageSettings>().BindConfiguration(StorageSettings.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<SiloSettings>().BindConfiguration(SiloSettings.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<LicensingSettings>().BindConfiguration(LicensingSettings.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<OrleansLicensing.Grains.History.HistoryOptions>().BindConfiguration(OrleansLicensing.Grains.History.HistoryOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<OrleansLicensing.Grains.Ledger.IdempotencyOptions>().BindConfiguration(OrleansLicensing.Grains.Ledger.IdempotencyOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<OrleansLicensing.Grains.Domain.PasswordHashOptions>().BindConfiguration(LicensingSettings.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.AddLicensingMail();
        builder.AddDeviceTestMode();

        builder.UseOrleans(silo =>
        {
            if (storage.Provider == StorageProvider.PostgreSql)
            {
                silo.UsePostgreSqlClustering(storage, siloSettings);
            }
            else
            {
                silo.UseLocalhostClustering(siloSettings.SiloPort, siloSettings.GatewayPort, serviceId: siloSettings.ServiceId, clusterId: siloSettings.ClusterId);
            }

            silo.AddLicensing(storage, licensing);
            silo.Configure<GrainCollectionOptions>(options =>
            {
                // Devices are the bulk of the activations (D105): one that polls stays in memory,
                // an idle one leaves after DeviceCollectionAge; under memory pressure the least
                // recently used grains are deactivated first.
                options.ClassSpecificCollectionAge[typeof(OrleansLicensing.Grains.Grains.DeviceGrain).FullName!] = siloSettings.DeviceCollectionAge;
                options.EnableActivationSheddingOnMemoryPressure = siloSettings.ShedActivationsOnMemoryPressure;
            });
            if (DashboardEnabled(builder))
            {
                silo.AddDashboard();
            }
        });

        builder.Services.AddSingleton<AuditMonitor>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<AuditMonitor>());
        builder.Services.AddSingleton<IdempotencySweeper>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<IdempotencySweeper>());
        builder.Services.AddHealthChecks()
            .AddCheck<StorageHealthCheck>("storage", tags: ["ready"])
            .AddCheck<SiloHealthCheck>("silo", tags: ["ready"])
            .AddCheck<SigningKeyHealthCheck>("signing-key", tags: ["ready"]);

        return builder;
    }

    /// <summary>
    /// Cluster: membership in the PostgreSQL database that holds the grain state (AdoNet
    /// clustering), this silo reachable at <see cref="SiloSettings.AdvertisedAddress"/> on its
    /// two ports, and failure detection tuned from <see cref="SiloSettings"/> (docs/operations.md).
    /// </summary>
    public static ISiloBuilder UsePostgreSqlClustering(this ISiloBuilder silo, StorageSettings storage, SiloSettings settings)
    {
        var connectionString = storage.ResolveConnectionString();
        silo.Configure<ClusterOptions>(options =>
        {
            options.ServiceId = settings.ServiceId;
            options.ClusterId = settings.ClusterId;
        });
        if (string.IsNullOrWhiteSpace(settings.AdvertisedAddress))
        {
            silo.ConfigureEndpoints(settings.SiloPort, settings.GatewayPort);
        }
        else
        {
            if (!System.Net.IPAddress.TryParse(settings.AdvertisedAddress, out var address))
            {
                throw new OptionsValidationException(SiloSettings.Section, typeof(SiloSettings), [$"Orleans:AdvertisedAddress '{settings.AdvertisedAddress}' is not an IP address."]);
            }

            silo.ConfigureEndpoints(address, settings.SiloPort, settings.GatewayPort, listenOnAnyHostAddress: !System.Net.IPAddress.IsLoopback(address));
        }

        silo.UseAdoNetClustering(options =>
        {
            options.Invariant = PostgreSqlSchema.Invariant;
            options.ConnectionString = connectionString;
        });

        // A dead silo is suspected after MissedProbesLimit probes of ProbeSeconds each and
        // declared dead once enough silos vote; until then calls to its grains wait.
        silo.Configure<ClusterMembershipOptions>(options =>
        {
            options.ProbeTimeout = TimeSpan.FromSeconds(settings.ProbeSeconds);
            options.NumMissedProbesLimit = settings.MissedProbesLimit;
            options.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(10);
            options.TableRefreshTimeout = TimeSpan.FromSeconds(10);
        });
        return silo;
    }

    public static bool DashboardEnabled(IHostApplicationBuilder builder) =>
        builder.Configuration.GetValue("Dashboard:Enabled", builder.Environment.IsDevelopment());

    /// <summary>How often a stalled transaction is pushed towards resolution after a silo loss.</summary>
    public static readonly TimeSpan RecoveryInterval = TimeSpan.FromSeconds(5);

    /// <summary>Configuration section that overrides Orleans' <see cref="TransactionalStateOptions"/> (lock and recovery timeouts).</summary>
    public const string TransactionsSection = "Transactions";

    /// <summary>Everything a licensing silo needs except clustering (which test clusters bring).</summary>
    public static ISiloBuilder AddLicensing(this ISiloBuilder silo, StorageSettings storage, LicensingSettings licensing)
    {
        silo.UseTransactions();

        // After a silo dies, a participant prepared for a transaction whose manager lived there
        // keeps its lock until it pings the manager back to life (and a manager retries a lost
        // confirmation); a manager whose participant died waits for a prepare vote that never
        // comes, and every later commit of that grain queues behind it. Orleans waits 60 s, 30 s
        // and 20 s by default, freezing the units on those grains that long (the silo-kill test
        // saw every unit move of a project stall for 20 s); 5 s bounds the stall at the cost of a
        // few messages per failure. A prepare slower than 5 s without a failure aborts as a
        // transient conflict, which the ledger retries.
        silo.Services.Configure<TransactionalStateOptions>(options =>
        {
            options.RemoteTransactionPingFrequency = RecoveryInterval;
            options.ConfirmationRetryDelay = RecoveryInterval;
            options.PrepareTimeout = RecoveryInterval;
        });

        // Section "Transactions" overrides any of them (docs/operations.md).
        silo.Services.AddOptions<TransactionalStateOptions>().BindConfiguration(TransactionsSection);
        // Ahead of the activity propagation: untraced device polls start no server activity.
        silo.AddIncomingGrainCallFilter<OrleansLicensing.Gateway.Apis.DevicePollTracingFilter>();
        // Holders that only the audit's read activated leave memory after it; not on the memory
        // provider, whose JSON cannot read a holder's immutable dictionaries back (a holder there
        // must never be deactivated and read again).
        if (storage.Provider != StorageProvider.Memory)
        {
            silo.AddIncomingGrainCallFilter<OrleansLicensing.Grains.Ledger.AuditReadFilter>();
        }

        silo.AddActivityPropagation();
        silo.Services.TryAddSingleton(TimeProvider.System);
        silo.Services.TryAddKeyedSingleton(OrleansLicensing.Grains.LicensingClock.Key, (sp, _) => sp.GetRequiredService<TimeProvider>());
        silo.Services.TryAddSingleton(Catalog.Default);
        silo.Services.TryAddSingleton<LedgerMetrics>();
        silo.Services.TryAddSingleton<OrleansLicensing.Grains.Ledger.MoveTracker>();
        silo.AddGrainService<OrleansLicensing.Grains.Ledger.MoveWatchService>();
        silo.Services.TryAddSingleton<OrleansLicensing.Grains.Ledger.IMoveWatchClient, OrleansLicensing.Grains.Ledger.MoveWatchClient>();
        silo.Services.TryAddSingleton<AuditReports>();
        silo.Services.TryAddSingleton<DevicePollAnswers>();
        silo.Services.AddOptions<OrleansLicensing.Grains.History.HistoryOptions>();
        silo.Services.AddOptions<OrleansLicensing.Grains.Ledger.IdempotencyOptions>();
        silo.Services.TryAddSingleton<OrleansLicensing.Grains.History.ChangeFeed>();
        silo.Services.TryAddSingleton<IMailSender, OutboxMailSender>();
        silo.Services.TryAddSingleton(licensing.DeviceSecretKey is { Length: > 0 } deviceSecretKey
            ? new HardwareSecrets(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(deviceSecretKey)))
            : EphemeralHardwareSecrets.Value);
        silo.Services.TryAddSingleton(sp => CreateSigningKey(storage, licensing, sp.GetRequiredService<ILoggerFactory>()));
        silo.Services.TryAddSingleton(sp => new StorageInstrumentation(sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), storage.Provider.ToString().ToLowerInvariant(), sp.GetService<SqliteDataSource>()?.GroupCommit));
        silo.Services.AddKeyedSingleton<IGrainStorage>(StorageNames.Licensing, (sp, _) =>
        {
            var inner = sp.GetRequiredKeyedService<IGrainStorage>(InnerStorageName);
            if (storage.Provider == StorageProvider.Sqlite)
            {
                inner = new FormatSafeGrainKeyStorage(inner);
            }
            else if (storage.Provider == StorageProvider.PostgreSql)
            {
                // The provider's key formatting is the same whatever the database (see the wrapper).
                inner = new DatabaseUnavailableGrainStorage(new FormatSafeGrainKeyStorage(inner));
            }

            return new InstrumentedGrainStorage(inner, sp.GetRequiredService<StorageInstrumentation>());
        });

        switch (storage.Provider)
        {
            case StorageProvider.Memory:
                // The same binary format as the databases: the JSON default cannot read back the
                // immutable collections our states hold, so a reactivated grain failed to load.
                silo.AddMemoryGrainStorage(InnerStorageName, options => options.Configure<Serializer>((o, serializer) =>
                    o.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer)));
                silo.UseInMemoryReminderService();
                break;
            case StorageProvider.Sqlite:
                Directory.CreateDirectory(Path.GetFullPath(storage.DataDirectory));
                var connectionString = SqliteSchema.ConnectionString(storage);
                var dataSource = new SqliteDataSource(connectionString, TimeSpan.FromSeconds(storage.SqliteBusyTimeoutSeconds), storage.SqliteSynchronous);
                silo.Services.AddSingleton(dataSource);
                silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp =>
                    new SqliteSchemaParticipant(connectionString, sp.GetRequiredService<ILogger<SqliteSchemaParticipant>>()));
                silo.AddAdoNetGrainStorage(InnerStorageName, options => options.Configure<Serializer>((o, serializer) =>
                {
                    o.Invariant = SqliteInvariant;
                    o.DataSource = dataSource;

                    // Orleans' own version-tolerant binary format: it round-trips the
                    // immutable collections our states use, which the JSON default does not.
                    o.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer);
                }));
                silo.UseAdoNetReminderService(options =>
                {
                    options.Invariant = SqliteInvariant;
                    options.DataSource = dataSource;
                });
                break;
            case StorageProvider.PostgreSql:
                var postgres = storage.ResolveConnectionString();
                silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp =>
                    new PostgreSqlSchemaParticipant(postgres, sp.GetRequiredService<ILogger<PostgreSqlSchemaParticipant>>()));
                silo.AddAdoNetGrainStorage(InnerStorageName, options => options.Configure<Serializer>((o, serializer) =>
                {
                    o.Invariant = PostgreSqlSchema.Invariant;
                    o.ConnectionString = PostgreSqlSchema.ForGrainStorage(postgres);
                    o.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer);
                }));
                silo.UseAdoNetReminderService(options =>
                {
                    options.Invariant = PostgreSqlSchema.Invariant;
                    options.ConnectionString = postgres;
                });
                break;
            default:
                throw new OptionsValidationException(StorageSettings.Section, typeof(StorageSettings), [$"Storage:Provider '{storage.Provider}' is not supported by this build."]);
        }

        return silo;
    }

    /// <summary>One key per process when none is configured (memory-only tests): every silo of a test cluster derives alike.</summary>
    private static readonly Lazy<HardwareSecrets> EphemeralHardwareSecrets = new(() => new HardwareSecrets(RandomNumberGenerator.GetBytes(32)));

    private static T Bind<T>(IConfiguration configuration, string section)
        where T : new()
    {
        T settings;
        try
        {
            settings = configuration.GetSection(section).Get<T>() ?? new T();
        }
        catch (InvalidOperationException e)
        {
            throw new OptionsValidationException(section, typeof(T), [$"Configuration section '{section}' is invalid: {e.Message}"]);
        }

        // The silo is built from these values before the options pipeline validates them, so a
        // bad value is refused here, by name, instead of failing somewhere inside the start.
        var errors = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
        if (!System.ComponentModel.DataAnnotations.Validator.TryValidateObject(settings, new(settings), errors, validateAllProperties: true))
        {
            throw new OptionsValidationException(section, typeof(T), [.. errors.Select(e => $"{section}:{string.Join(",", e.MemberNames)}: {e.ErrorMessage}")]);
        }

        return settings;
    }

    private static LicenseSigningKey CreateSigningKey(StorageSettings storage, LicensingSettings licensing, ILoggerFactory loggers)
    {
        string? pem = null;
        var source = "Licensing:SigningKeyPem";
        if (!string.IsNullOrWhiteSpace(licensing.SigningKeyPem))
        {
            pem = licensing.SigningKeyPem;
        }
        else if (!string.IsNullOrWhiteSpace(licensing.SigningKeyPath))
        {
            pem = File.ReadAllText(licensing.SigningKeyPath);
            source = licensing.SigningKeyPath;
        }
        else if (storage.Provider == StorageProvider.Sqlite)
        {
            source = "the data directory's license-signing-key.pem";
            pem = LocalSecrets.GetOrCreate(storage.DataDirectory, "license-signing-key.pem", () =>
            {
                using var fresh = ECDsa.Create(ECCurve.NamedCurves.nistP256);
                return fresh.ExportPkcs8PrivateKeyPem();
            }, path => loggers.CreateLogger(typeof(LicensingNode)).LogWarning("Generated the {Description} and stored it in {Path}", "license signing key", path));
        }

        var previous = licensing.PreviousSigningKeyPaths
            .Where(path => !string.IsNullOrWhiteSpace(path))
            .Select(path => LicenseSigningKey.FromPem(File.ReadAllText(path), $"Licensing:PreviousSigningKeyPaths '{path}'"))
            .ToList();
        return pem is null
            ? new LicenseSigningKey(ECDsa.Create(ECCurve.NamedCurves.nistP256), previous)
            : new LicenseSigningKey(LicenseSigningKey.FromPem(pem, source), previous);
    }

    /// <summary>Applies the PostgreSQL scripts the database lacks before clustering, storage and reminders initialise.</summary>
    private sealed class PostgreSqlSchemaParticipant(string connectionString, ILogger<PostgreSqlSchemaParticipant> logger) : ILifecycleParticipant<ISiloLifecycle>
    {
        public void Participate(ISiloLifecycle lifecycle) =>
            lifecycle.Subscribe(nameof(PostgreSqlSchemaParticipant), ServiceLifecycleStage.RuntimeInitialize - 1, ct => PostgreSqlSchema.ApplyAsync(connectionString, logger, ct));
    }

    /// <summary>Applies the SQLite schema before any storage provider initialises.</summary>
    private sealed class SqliteSchemaParticipant(string connectionString, ILogger<SqliteSchemaParticipant> logger) : ILifecycleParticipant<ISiloLifecycle>
    {
        public void Participate(ISiloLifecycle lifecycle) =>
            lifecycle.Subscribe(nameof(SqliteSchemaParticipant), ServiceLifecycleStage.RuntimeInitialize - 1, _ =>
            {
                SqliteSchema.Apply(connectionString, logger);
                return Task.CompletedTask;
            });
    }
}
