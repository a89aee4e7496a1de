using Microsoft.Extensions.Logging;
using OrleansLicensing.Contracts;

namespace OrleansLicensing.Grains;

/// <summary>
/// The last conservation audit this silo ran, whoever asked for it (the schedule or the vendor
/// API), for the audit gauges; a difference is logged as an error once per report.
/// </summary>
public sealed class AuditReports(ILogger<AuditReports> logger)
{
    private AuditReport? _last;

    public AuditReport? Last => _last;

    public void Publish(AuditReport report)
    {
        _last = report;
        if (!report.Balanced)
        {
            logger.LogError("Conservation audit found differences: {Differences}", string.Join(", ", report.LicenseTypes.Where(l => l.Difference != 0).Select(l => $"{l.Type}={l.Difference}")));
        }
    }
}
