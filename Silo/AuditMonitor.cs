using System.Collections.Immutable;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains;

namespace OrleansLicensing.Silo;

/// <summary>
/// Runs the conservation audit (R-C2) on a schedule and publishes its per-type difference as
/// the gauge <c>licensing.audit.difference</c> (must be 0), plus the silo count the cluster
/// sees, for the "silo lost" alert.
/// </summary>
public sealed class AuditMonitor : BackgroundService
{
    private readonly IGrainFactory _grains;
    private readonly IClusterMembershipService _membership;
    private readonly IOptions<LicensingSettings> _settings;
    private readonly ILogger<AuditMonitor> _logger;
    private readonly AuditReports _reports;
    private readonly Meter _meter;

    public AuditMonitor(IGrainFactory grains, IClusterMembershipService membership, IOptions<LicensingSettings> settings, AuditReports reports, IMeterFactory meters, ILogger<AuditMonitor> logger)
    {
        _grains = grains;
        _membership = membership;
        _settings = settings;
        _logger = logger;
        _reports = reports;
        _meter = meters.Create(LedgerMetrics.MeterName);
        _meter.CreateObservableGauge("licensing.audit.difference", ObserveDifferences, unit: "{unit}", description: "Minted minus held minus consumed units per license type at the last audit that settled the type (no move in flight explains it); must be 0");
        _meter.CreateObservableGauge<int>("licensing.audit.unsettled", () => _reports.Last is not { } last ? [] : [new Measurement<int>(last.Unsettled.Length)], unit: "{type}", description: "License types the last audit could not settle because unit moves were in flight during its reads");
        _meter.CreateObservableGauge<double>("licensing.audit.age", () => _reports.Last is not { } last ? [] : [new Measurement<double>((DateTimeOffset.UtcNow - last.At).TotalSeconds)], unit: "s", description: "Seconds since the last conservation audit");
        _meter.CreateObservableGauge("licensing.cluster.silos", ObserveSilos, unit: "{silo}", description: "Silos in the cluster membership by status");
    }

    /// <summary>Runs an audit now; the audit grain publishes it to <see cref="AuditReports"/>.</summary>
    public Task<AuditReport> RunAsync() => _grains.GetGrain<IConservationAuditGrain>(0).RunAsync();

    /// <summary>
    /// The scheduled audit: one per interval in the whole cluster (<see cref="IAuditScheduleGrain"/>);
    /// this silo's gauges take its report whichever silo ran it.
    /// </summary>
    public async Task<AuditReport?> RunScheduledAsync(TimeSpan interval)
    {
        var report = await _grains.GetGrain<IAuditScheduleGrain>(0).RunScheduledAsync(interval);
        if (report is not null)
        {
            _reports.Adopt(report);
        }

        return report;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromSeconds(_settings.Value.AuditIntervalSeconds);
        using var timer = new PeriodicTimer(interval);
        while (await NextTickAsync(timer, stoppingToken))
        {
            try
            {
                await RunScheduledAsync(interval);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _logger.LogWarning(e, "The scheduled conservation audit failed");
            }
        }
    }

    private static async Task<bool> NextTickAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public override void Dispose()
    {
        _meter.Dispose();
        base.Dispose();
    }

    private IEnumerable<Measurement<long>> ObserveDifferences()
    {
        return _reports.Last is null
            ? []
            : _reports.SettledDifferences.Select(entry => new Measurement<long>(entry.Value, new KeyValuePair<string, object?>("license_type", entry.Key)));
    }

    private IEnumerable<Measurement<int>> ObserveSilos()
    {
        var members = _membership.CurrentSnapshot.Members.Values.ToImmutableArray();
        return members.GroupBy(m => m.Status.ToString().ToLowerInvariant())
            .Select(group => new Measurement<int>(group.Count(), new KeyValuePair<string, object?>("status", group.Key)));
    }
}
