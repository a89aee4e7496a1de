using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using OrleansLicensing.Contracts;

namespace OrleansLicensing.Gateway.Hosting;

/// <summary>Configuration section <c>Orleans</c> as a gateway process reads it: where the silos are.</summary>
public sealed class ClusterClientSettings
{
    public const string Section = "Orleans";

    [Required]
    public string ServiceId { get; set; } = "orleans-licensing";

    [Required]
    public string ClusterId { get; set; } = "single-node";

    /// <summary>Silo gateway ports on this host (localhost clustering) the client connects to.</summary>
    [Required, MinLength(1)]
    public int[] GatewayPorts { get; set; } = [30000];

    /// <summary>
    /// How the client finds the silos: <c>Localhost</c> (the ports above) or <c>AdoNet</c> (the
    /// silos' PostgreSQL membership table). Unset: <c>AdoNet</c> when a connection string is configured.
    /// </summary>
    public string? Clustering { get; set; }

    /// <summary>AdoNet clustering: the Npgsql connection string of the silos' database (prefer <see cref="ConnectionStringFile"/>).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>AdoNet clustering: a file holding that connection string (a mounted secret).</summary>
    public string? ConnectionStringFile { get; set; }

    /// <summary>Seconds between refreshes of the list of live silo gateways (Orleans default 60).</summary>
    [Range(1, 600)]
    public int GatewayListRefreshSeconds { get; set; } = 10;

    /// <summary>
    /// Seconds the gateway waits for a silo's answer before it answers 503 StorageUnavailable
    /// (Orleans default 30). A request caught on a silo that died, or on a commit waiting for the
    /// database, ends after this; the client repeats it with its Idempotency-Key.
    /// </summary>
    [Range(1, 600)]
    public int ResponseTimeoutSeconds { get; set; } = 10;

    public bool UsesAdoNet() => Clustering is { } mode
        ? string.Equals(mode, "AdoNet", StringComparison.OrdinalIgnoreCase)
        : !string.IsNullOrWhiteSpace(ConnectionString) || !string.IsNullOrWhiteSpace(ConnectionStringFile);
}

/// <summary>The gateway process: a stateless Orleans client of the licensing cluster.</summary>
public static class ClusterClient
{
    public static WebApplicationBuilder AddLicensingClusterClient(this WebApplicationBuilder builder)
    {
        ClusterClientSettings settings;
        try
        {
            settings = builder.Configuration.GetSection(ClusterClientSettings.Section).Get<ClusterClientSettings>() ?? new();
        }
        catch (InvalidOperationException e)
        {
            throw new OptionsValidationException(ClusterClientSettings.Section, typeof(ClusterClientSettings), [$"Configuration section '{ClusterClientSettings.Section}' is invalid: {e.Message}"]);
        }

        var errors = new List<ValidationResult>();
        if (!Validator.TryValidateObject(settings, new(settings), errors, validateAllProperties: true))
        {
            throw new OptionsValidationException(ClusterClientSettings.Section, typeof(ClusterClientSettings), [.. errors.Select(e => $"{ClusterClientSettings.Section}:{string.Join(",", e.MemberNames)}: {e.ErrorMessage}")]);
        }

        if (settings.Clustering is { } mode && !string.Equals(mode, "AdoNet", StringComparison.OrdinalIgnoreCase) && !string.Equals(mode, "Localhost", StringComparison.OrdinalIgnoreCase))
        {
            throw new OptionsValidationException(ClusterClientSettings.Section, typeof(ClusterClientSettings), [$"Orleans:Clustering '{mode}' is neither Localhost nor AdoNet."]);
        }

        string? connectionString = null;
        if (settings.UsesAdoNet())
        {
            connectionString = !string.IsNullOrWhiteSpace(settings.ConnectionString) ? settings.ConnectionString
                : !string.IsNullOrWhiteSpace(settings.ConnectionStringFile) ? File.ReadAllText(settings.ConnectionStringFile).Trim()
                : throw new OptionsValidationException(ClusterClientSettings.Section, typeof(ClusterClientSettings), ["Orleans:Clustering AdoNet needs Orleans:ConnectionString or Orleans:ConnectionStringFile."]);
        }

        builder.UseOrleansClient(client =>
        {
            if (connectionString is null)
            {
                client.UseLocalhostClustering(settings.GatewayPorts, settings.ServiceId, settings.ClusterId);
            }
            else
            {
                client.Configure<Orleans.Configuration.ClusterOptions>(options =>
                {
                    options.ServiceId = settings.ServiceId;
                    options.ClusterId = settings.ClusterId;
                });
                client.UseAdoNetClustering(options =>
                {
                    options.Invariant = "Npgsql";
                    options.ConnectionString = connectionString;
                });
            }

            client.Configure<Orleans.Configuration.GatewayOptions>(options => options.GatewayListRefreshPeriod = TimeSpan.FromSeconds(settings.GatewayListRefreshSeconds));
            client.Configure<Orleans.Configuration.ClientMessagingOptions>(options => options.ResponseTimeout = TimeSpan.FromSeconds(settings.ResponseTimeoutSeconds));

            // Balance reads are transactional ([Transaction(CreateOrJoin)]); the client starts them.
            client.UseTransactions();
        });
        builder.Services.AddHealthChecks().AddCheck<ClusterHealthCheck>("cluster", tags: ["ready"]);
        return builder;
    }

    /// <summary>Ready when a silo answers a stateless grain call within two seconds.</summary>
    private sealed class ClusterHealthCheck(IGrainFactory grains) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                await grains.GetGrain<ISigningKeyGrain>(0).GetPublicKeyAsync().WaitAsync(TimeSpan.FromSeconds(2), cancellationToken);
                return HealthCheckResult.Healthy("A silo answered.");
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                return HealthCheckResult.Unhealthy("No silo answered in time.", e);
            }
        }
    }
}
