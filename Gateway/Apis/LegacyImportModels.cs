using System.Collections.Immutable;
using OrleansLicensing.Contracts;
using OrleansLicensing.Gateway.Infrastructure;

namespace OrleansLicensing.Gateway.Apis;

/// <summary>One part of the old license manager's export (docs/import.md); a small export is one part (<c>part</c> 0 of 1).</summary>
public sealed record LegacyExportBody(
    string? ExportId,
    int? Part = null,
    int? Of = null,
    List<LegacyAccountBody?>? Accounts = null,
    List<LegacyGroupBody?>? Groups = null,
    List<LegacyDeviceBody?>? Devices = null);

/// <param name="Group">The id of the account's group (every account has one; an account alone is a group of its own).</param>
public sealed record LegacyAccountBody(string? Login, string? Group = null, LegacyPasswordBody? Password = null);

/// <param name="Algorithm"><c>pbkdf2-sha1</c> or <c>pbkdf2-sha256</c>.</param>
/// <param name="Salt">Base64, at least 8 bytes.</param>
/// <param name="Hash">Base64 of the derived key, 16 to 64 bytes (its length is the derived length).</param>
public sealed record LegacyPasswordBody(string? Algorithm, int? Iterations = null, string? Salt = null, string? Hash = null);

/// <param name="Balance">The group's old balance (all its users together), license type → units.</param>
public sealed record LegacyGroupBody(string? Id, string? Name = null, Dictionary<string, int>? Balance = null);

public sealed record LegacyDeviceBody(string? Mac, string? DeviceType = null, List<LegacyLicenseBody?>? Licenses = null);

/// <param name="User">The login of the old user who created the license.</param>
public sealed record LegacyLicenseBody(string? Type, int? Units = null, string? Version = null, DateOnly? BindDate = null, string? User = null);

public sealed record LegacyClaimRequest(string? Login, string? Password = null);

/// <param name="Macs">The devices to import; or <c>allDevices</c>: every device of the group (those imported before report AlreadyImported).</param>
/// <param name="IncludeBalance">Import the group's old balance too (default true); it can be imported once.</param>
public sealed record LegacyImportRequest(string? GroupId, List<string>? Macs = null, bool? AllDevices = null, bool? IncludeBalance = null);

public sealed record LegacySingleImportRequest(string? Mac, string? DeviceSecret = null);

/// <summary>Checks an export part at the edge and turns it into the grains' records (docs/import.md).</summary>
public static class LegacyExportParser
{
    public const int MaxText = 100;

    public static string ExportId(string? exportId)
    {
        var id = Validate.Text(exportId, "exportId", 64);
        return id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
            ? id
            : throw LicensingException.Validation("'exportId' may hold letters, digits, '-', '_' and '.' only.");
    }

    public static LegacyExportPart Parse(LegacyExportBody body, Catalog catalog)
    {
        var of = body.Of ?? 1;
        var part = body.Part ?? 0;
        if (of is < 1 or > LegacyImportApi.MaxParts || part < 0 || part >= of)
        {
            throw LicensingException.Validation($"'of' must be 1 to {LegacyImportApi.MaxParts} and 'part' 0 to of − 1.");
        }

        ImmutableArray<LegacyAccount> accounts = [.. (body.Accounts ?? []).Select(a => Account(a ?? throw Null("accounts")))];
        ImmutableArray<LegacyGroup> groups = [.. (body.Groups ?? []).Select(g => Group(g ?? throw Null("groups"), catalog))];
        ImmutableArray<LegacyDevice> devices = [.. (body.Devices ?? []).Select(d => Device(d ?? throw Null("devices"), catalog))];
        Unique(accounts.Select(a => a.Login), "login");
        Unique(groups.Select(g => g.GroupId), "group id");
        Unique(devices.Select(d => d.Mac), "MAC");
        return new LegacyExportPart(part, of, accounts, groups, devices);
    }

    private static LegacyAccount Account(LegacyAccountBody body)
    {
        var password = body.Password ?? throw LicensingException.Validation("Every account needs its 'password' hash.");
        return new LegacyAccount(
            Validate.Text(body.Login, "login", MaxText).ToLowerInvariant(),
            Validate.Text(body.Group, "group", MaxText),
            new LegacyPasswordHash(
                Validate.Text(password.Algorithm, "algorithm", 32),
                password.Iterations ?? 0,
                Validate.Text(password.Salt, "salt", 512),
                Validate.Text(password.Hash, "hash", 512)));
    }

    private static LegacyGroup Group(LegacyGroupBody body, Catalog catalog) => new(
        Validate.Text(body.Id, "group id", MaxText),
        Validate.OptionalText(body.Name, "name", MaxText) ?? body.Id!.Trim(),
        body.Balance is { Count: > 0 } balance ? catalog.ValidateLicenseMap(balance) : ImmutableSortedDictionary.Create<string, int>(StringComparer.Ordinal));

    private static LegacyDevice Device(LegacyDeviceBody body, Catalog catalog)
    {
        var deviceType = Validate.Text(body.DeviceType, "deviceType", 32);
        if (!catalog.TryGetDeviceType(deviceType, out _))
        {
            throw new LicensingException(ErrorCodes.UnknownDeviceType, $"Device type '{deviceType}' is not in the catalog.");
        }

        return new LegacyDevice(Mac.Parse(body.Mac).ToString(), deviceType, [.. (body.Licenses ?? []).Select(l => License(l ?? throw Null("licenses"), catalog))]);
    }

    private static LegacyLicense License(LegacyLicenseBody body, Catalog catalog)
    {
        var type = Validate.Text(body.Type, "type", 64);
        var units = body.Units ?? 0;
        catalog.ValidateLicenseMap(new Dictionary<string, int> { [type] = units });
        return new LegacyLicense(
            type,
            units,
            catalog.GetVersion(Validate.Text(body.Version, "version", 8)).Version,
            body.BindDate ?? throw LicensingException.Validation("Every license needs its 'bindDate'."),
            Validate.Text(body.User, "user", MaxText).ToLowerInvariant());
    }

    private static void Unique(IEnumerable<string> keys, string what)
    {
        if (keys.GroupBy(k => k, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } duplicate)
        {
            throw LicensingException.Validation($"The {what} {duplicate.Key} is listed more than once in this part.");
        }
    }

    private static LicensingException Null(string list) => LicensingException.Validation($"'{list}' must not contain null.");
}

public sealed record LegacyExportResponse(string ExportId, int PartsReceived, int Of, JoinStatusResponse Load)
{
    public static LegacyExportResponse From(LegacyExportStatus status, string url) =>
        new(status.ExportId, status.PartsReceived, status.Of, JoinStatusResponse.From(status.Load, url));
}

/// <param name="BalanceImported">Where the balance went, once imported (it can be imported once).</param>
public sealed record LegacyGroupResponse(string GroupId, string Name, IReadOnlyDictionary<string, int> Balance, IReadOnlyList<string> Logins, int DeviceCount, LegacyMarkResponse? BalanceImported)
{
    public static LegacyGroupResponse From(LegacyGroupView view) =>
        new(view.GroupId, view.Name, view.Balance, view.Logins, view.DeviceCount, LegacyMarkResponse.From(view.BalanceImported));
}

public sealed record LegacyMarkResponse(string ProjectId, DateTimeOffset At)
{
    public static LegacyMarkResponse? From(LegacyImportMark? mark) => mark is null ? null : new(mark.ProjectId, mark.At);
}

public sealed record LegacyLicenseResponse(string Type, int Units, string Version, DateOnly BindDate, string User);

/// <param name="SeveralUsers">The licenses come from several old users: import only a device you own (R-I2).</param>
/// <param name="ImportedAt">When the device was imported; null while it can be.</param>
public sealed record LegacyDeviceResponse(string Mac, string DeviceType, IReadOnlyList<LegacyLicenseResponse> Licenses, bool SeveralUsers, DateTimeOffset? ImportedAt)
{
    public static LegacyDeviceResponse From(LegacyDeviceView view) => new(
        view.Device.Mac,
        view.Device.DeviceType,
        [.. view.Device.Licenses.Select(l => new LegacyLicenseResponse(l.Type, l.Units, l.Version, l.BindDate, l.User))],
        view.Device.SeveralUsers,
        view.Imported?.At);
}

public sealed record LegacyDevicesPage(string GroupId, int Total, int Offset, IReadOnlyList<LegacyDeviceResponse> Devices);

/// <param name="Status"><c>imported</c>, <c>warning</c> (imported; <c>code</c> SeveralUsers) or <c>error</c> (<c>code</c>: AlreadyImported, AlreadyInCompany, DeviceInOtherCompany, NotFound, ConsistencyViolation…).</param>
public sealed record LegacyDeviceResultResponse(string Mac, string Status, string? Code, IReadOnlyList<LotResponse> Licenses);

/// <param name="Balance">The old balance minted into the project; null when not imported (see <c>balanceCode</c>).</param>
/// <param name="BalanceCode"><c>AlreadyImported</c> when the group's balance had been imported before.</param>
/// <param name="Counts">Devices per status (<c>imported</c>, <c>warning</c>, <c>error</c>) over all batches done.</param>
/// <param name="Devices">One page of per-device results in MAC order, from <c>offset</c> (see <c>?offset=&amp;limit=</c>).</param>
/// <param name="SsaExtended">Always false (R-I3): an import never extends SSA.</param>
/// <param name="SsaEndDate">The project's SSA end date, if it has one.</param>
/// <param name="SsaQuote">When the project is under SSA and the import is done: the quote of <c>PUT …/projects/{pid}/ssa</c> for today, to confirm there.</param>
public sealed record LegacyImportResponse(
    JoinStatusResponse Status,
    string ProjectId,
    string? GroupId,
    IReadOnlyDictionary<string, int>? Balance,
    string? BalanceCode,
    IReadOnlyDictionary<string, int> Counts,
    int Offset,
    IReadOnlyList<LegacyDeviceResultResponse> Devices,
    bool SsaExtended,
    DateOnly? SsaEndDate,
    SsaResponse? SsaQuote,
    string? SsaQuoteUnavailable)
{
    public static LegacyImportResponse From(LegacyImportOutcome outcome, JoinStatusResponse status, DateOnly? ssaEnd, SsaResponse? quote, string? quoteUnavailable) => new(
        status,
        outcome.Plan.ProjectId,
        outcome.Plan.GroupId,
        outcome.Balance,
        outcome.BalanceCode,
        outcome.Counts,
        outcome.Offset,
        [.. outcome.Devices.Select(d => new LegacyDeviceResultResponse(d.Mac, d.Status, d.Code, [.. d.Lots.Select(LotResponse.From)]))],
        SsaExtended: false,
        ssaEnd,
        quote,
        quoteUnavailable);
}
