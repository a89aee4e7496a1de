using Microsoft.Extensions.Logging;
using OrleansLicensing.Contracts;

namespace OrleansLicensing.Grains;

/// <summary>
/// The last conservation audit this silo ran, whoever asked for it (the schedule or the vendor
/// API), for the audit gauges. Only a difference that no move in flight explains is logged as an
/// error (once per report); unsettled types are logged at Information and keep the last settled
/// difference, so neither the gauge nor the alert moves on a move in flight.
/// </summary>
public sealed class AuditReports(ILogger<AuditReports> logger)
{
    private readonly Dictionary<string, long> _settled = new(StringComparer.Ordinal);
    private AuditReport? _last;

    public AuditReport? Last => _last;

    /// <summary>Per license type, the difference of the last audit that settled it (0 until one found one).</summary>
    public IReadOnlyDictionary<string, long> SettledDifferences
    {
        get
        {
            lock (_settled)
            {
                return new Dictionary<string, long>(_settled, StringComparer.Ordinal);
            }
        }
    }

    /// <summary>
    /// Takes a report another silo published (the scheduled audit runs on one silo of the
    /// cluster) for this silo's gauges, without logging it again; one older than held is ignored.
    /// </summary>
    public void Adopt(AuditReport report)
    {
        lock (_settled)
        {
            if (_last is { } last && last.At >= report.At)
            {
                return;
            }
        }

        Record(report);
    }

    public void Publish(AuditReport report)
    {
        Record(report);
        var differences = report.Differences.ToArray();
        if (differences.Length > 0)
        {
            logger.LogError("Conservation audit found differences: {Differences}", string.Join(", ", differences.Select(l => $"{l.Type}={l.Difference}")));
        }

        if (!report.Unsettled.IsEmpty)
        {
            logger.LogInformation("Conservation audit unsettled for {Types}: unit moves were in flight during its reads", string.Join(", ", report.Unsettled));
        }
    }

    private void Record(AuditReport report)
    {
        lock (_settled)
        {
            foreach (var line in report.LicenseTypes.Where(l => !report.Unsettled.Contains(l.Type)))
            {
                _settled[line.Type] = line.Difference;
            }

            foreach (var type in report.Unsettled)
            {
                _settled.TryAdd(type, 0);
            }

            _last = report;
        }
    }
}
