using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansLicensing.Contracts;

namespace OrleansLicensing.Grains.History;

/// <summary>
/// Where every state change is reported after it committed (docs/history.md): it appends the
/// change's history events to the company's log (R-Q2) and tells the company's search index which
/// devices, projects and own keys to read again (R-Q1). Reporting never fails the change it
/// reports: the change stands; a report that cannot be delivered after a few attempts is logged.
/// Nor does it hold the change up: the caller waits for the report at most
/// <see cref="HistoryOptions.ReportWait"/>; a report still running then (a log or index whose
/// activation waits on a silo that died, on grains locked by a transaction being recovered)
/// finishes in the background. Without that bound one slow index stalled every unit move of the
/// silo's ledger workers behind it for up to 20 s after a silo kill.
/// </summary>
public sealed class ChangeFeed(IGrainFactory grains, TimeProvider time, ILogger<ChangeFeed> logger, IOptions<HistoryOptions> options)
{
    /// <summary>The <see cref="RequestContext"/> key under which the gateway passes the acting user's e-mail.</summary>
    public const string ActorKey = HistoryContext.ActorKey;

    /// <summary>Prefix of the log that holds an account's own events (register, activate, change).</summary>
    public const string AccountLogPrefix = "account:";

    private const int Attempts = 3;

    /// <summary>The e-mail of the user on whose behalf the current call runs, if a user's request started it.</summary>
    public static string? Actor => RequestContext.Get(ActorKey) as string;

    public static ImmutableSortedDictionary<string, string> Details(params (string Key, string? Value)[] entries) =>
        entries.Where(e => e.Value is not null).ToImmutableSortedDictionary(e => e.Key, e => e.Value!, StringComparer.Ordinal);

    public static string Describe(IEnumerable<KeyValuePair<string, int>> licenses) => string.Join(", ", licenses.Select(e => $"{e.Key}={e.Value}"));

    /// <summary>A stable event id from the identity of a change (a transaction, an idempotency key) and the event's index in it.</summary>
    public static string IdFrom(string identity, int index) =>
        $"{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)).AsSpan(0, 12))}-{index}";

    /// <summary>An event of the current actor, now.</summary>
    public HistoryEvent Event(string companyId, string action, string? projectId = null, string? mac = null, ImmutableSortedDictionary<string, string>? details = null, string? id = null) =>
        new(id ?? Guid.NewGuid().ToString("N"), time.GetUtcNow(), companyId, projectId, Actor, mac, action, details ?? ImmutableSortedDictionary<string, string>.Empty);

    public Task RecordAsync(params HistoryEvent[] events) => RecordAsync((IReadOnlyCollection<HistoryEvent>)events);

    public async Task RecordAsync(IReadOnlyCollection<HistoryEvent> events)
    {
        try
        {
            // WaitAsync stops its timer when the report ends first; ReportAsync never throws.
            await ReportAsync(events).WaitAsync(options.Value.ReportWait);
        }
        catch (TimeoutException)
        {
            // The report goes on in the background with its retries (D79).
        }
    }

    private async Task ReportAsync(IReadOnlyCollection<HistoryEvent> events)
    {
        foreach (var company in events.GroupBy(e => e.CompanyId))
        {
            var batch = company.ToImmutableArray();
            await DeliverAsync(() => grains.GetGrain<IHistoryLogGrain>(company.Key).AppendAsync(batch), company.Key);
            if (!company.Key.StartsWith(AccountLogPrefix, StringComparison.Ordinal) && SearchChangesOf(batch) is { IsEmpty: false } changes)
            {
                await DeliverAsync(() => grains.GetGrain<ISearchIndexGrain>(company.Key).ChangedAsync(changes), company.Key);
            }
        }
    }

    /// <summary>Records a device's event in the history of the company the device is in now (none when it is in no company).</summary>
    public async Task RecordForDeviceAsync(string mac, string action, params (string Key, string? Value)[] details)
    {
        var device = await grains.GetGrain<IDeviceGrain>(mac).GetAsync();
        if (device.CompanyId is { } companyId)
        {
            await RecordAsync(Event(companyId, action, device.ProjectId, mac, Details(details)));
        }
    }

    /// <summary>Records an account's own event in its account log (no company yet, or none involved).</summary>
    public Task RecordAccountAsync(string email, string action, ImmutableSortedDictionary<string, string>? details = null) =>
        RecordAsync(Event(HistoryLogIds.Account(email), action, details: details) with { User = email });

    /// <summary>What a search index must read again after these events: the devices, projects and own keys they name.</summary>
    public static SearchChanges SearchChangesOf(IEnumerable<HistoryEvent> events)
    {
        var list = events.ToList();
        return new SearchChanges(
            [.. list.Where(e => e.Mac is not null).Select(e => e.Mac!).Distinct()],
            [.. list.Where(e => e.ProjectId is not null && e.Action.StartsWith("Project", StringComparison.Ordinal)).Select(e => e.ProjectId!).Distinct()],
            [.. list.Where(e => e.Action.StartsWith("OwnKey", StringComparison.Ordinal) && e.Details.ContainsKey("key")).Select(e => e.Details["key"]).Distinct()]);
    }

    private async Task DeliverAsync(Func<Task> send, string companyId)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await send();
                return;
            }
            catch (Exception e) when (attempt < Attempts)
            {
                logger.LogDebug(e, "Reporting a change of {Company} failed (attempt {Attempt}); retrying", companyId, attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt));
            }
            catch (Exception e)
            {
                // The change committed; its history event or index refresh is lost (docs/history.md).
                logger.LogWarning(e, "Could not report a change of {Company}; its history event or search refresh is lost", companyId);
                return;
            }
        }
    }
}
