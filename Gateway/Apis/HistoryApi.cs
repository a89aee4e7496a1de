using System.Collections.Immutable;
using Microsoft.AspNetCore.Http.HttpResults;
using OrleansLicensing.Contracts;
using OrleansLicensing.Gateway.Infrastructure;

namespace OrleansLicensing.Gateway.Apis;

/// <summary>A company's history (R-Q2): every state change, newest first, paged with a cursor.</summary>
public static class HistoryApi
{
    public const int DefaultLimit = 50;

    public static class Contexts
    {
        public const string Company = "company";
        public const string User = "user";
        public const string Device = "device";
    }

    public static ApiGroups MapHistoryApi(this ApiGroups groups)
    {
        groups.Company.MapGet("/history", ReadAsync).WithTags("History").WithName("ReadHistory")
            .WithSummary("The company's history newest first: all of it, one user's or one device's actions, in one project or all, for a day, week, month, year or always")
            .WithDescription("Pass `nextCursor` as `cursor` for the next page; a page may hold fewer events than `limit` (a read examines a bounded part of the log) and the history has ended only when `nextCursor` is null.")
            .ProducesErrors(ErrorCodes.ValidationFailed);
        groups.User.MapGet("/me/history", ReadMineAsync).WithTags("History").WithName("ReadAccountHistory")
            .WithSummary("The signed-in user's account events (registered, activated, changed), newest first")
            .ProducesErrors(ErrorCodes.ValidationFailed);
        return groups;
    }

    public static async Task<Ok<HistoryPageResponse>> ReadAsync(
        CompanyCaller caller,
        IGrainFactory grains,
        HttpContext http,
        string? context = null,
        string? user = null,
        string? mac = null,
        string? project = null,
        string? period = null,
        string? cursor = null,
        int? limit = null)
    {
        var filter = Filter(context, user, mac, project, period, Now(http));
        var page = await grains.GetGrain<IHistoryLogGrain>(caller.CompanyId).ReadAsync(filter, Cursor(cursor), Limit(limit));
        return TypedResults.Ok(HistoryPageResponse.From(page));
    }

    public static async Task<Ok<HistoryPageResponse>> ReadMineAsync(HttpContext http, IGrainFactory grains, string? period = null, string? cursor = null, int? limit = null)
    {
        var filter = new HistoryFilter(null, null, null, HistoryPeriods.Start(period, Now(http)));
        var page = await grains.GetGrain<IHistoryLogGrain>(HistoryLogIds.Account(http.User.Email())).ReadAsync(filter, Cursor(cursor), Limit(limit));
        return TypedResults.Ok(HistoryPageResponse.From(page));
    }

    /// <summary>The filter of a history request; ValidationFailed for any value that is not one the contract names.</summary>
    public static HistoryFilter Filter(string? context, string? user, string? mac, string? project, string? period, DateTimeOffset now)
    {
        var from = HistoryPeriods.Start(period, now);
        string? projectId = null;
        if (!string.IsNullOrEmpty(project))
        {
            projectId = project.Length == 16 && project.All(c => char.IsAsciiDigit(c) || char.IsAsciiLetterLower(c))
                ? project
                : throw LicensingException.Validation("project is not a project id.");
        }

        switch ((context ?? Contexts.Company).ToLowerInvariant())
        {
            case Contexts.Company:
                return new HistoryFilter(projectId, null, null, from);
            case Contexts.User:
                if (!Email.TryNormalize(user, out var email))
                {
                    throw LicensingException.Validation("context=user needs user, an e-mail address.");
                }

                return new HistoryFilter(projectId, email, null, from);
            case Contexts.Device:
                if (!Mac.TryParse(mac, out var address))
                {
                    throw LicensingException.Validation("context=device needs mac, a MAC address of the vendor's block.");
                }

                return new HistoryFilter(projectId, null, address.ToString(), from);
            default:
                throw LicensingException.Validation($"context must be one of {Contexts.Company}, {Contexts.User}, {Contexts.Device}.");
        }
    }

    private static DateTimeOffset Now(HttpContext http) => (http.RequestServices.GetService<TimeProvider>() ?? TimeProvider.System).GetUtcNow();

    private static string? Cursor(string? cursor) => string.IsNullOrEmpty(cursor) ? null : cursor;

    private static int Limit(int? limit) => limit switch
    {
        null => DefaultLimit,
        >= 1 and <= 500 => limit.Value,
        _ => throw LicensingException.Validation("limit must be between 1 and 500."),
    };
}

public sealed record HistoryEventResponse(DateTimeOffset At, string Action, string? ProjectId, string? User, string? Mac, IReadOnlyDictionary<string, string> Details);

public sealed record HistoryPageResponse(IReadOnlyList<HistoryEventResponse> Events, string? NextCursor)
{
    public static HistoryPageResponse From(HistoryPage page) => new(
        [.. page.Events.Select(e => new HistoryEventResponse(e.At, e.Action, e.ProjectId, e.User, e.Mac, e.Details))],
        page.NextCursor);
}
