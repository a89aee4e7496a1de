using OrleansLicensing.Contracts;

namespace OrleansLicensing.Gateway.Apis;

// Request and response bodies of SPEC §4.1. Field names are a fixed contract with
// distributors' integrations: add fields, never rename or remove one.

public sealed record RegisterAccountRequest(string Email, string Password, string DisplayName, string? Language = null);

public sealed record AccountResponse(string Email, string DisplayName, string Language);

/// <summary>The signed-in account; <c>pendingEmail</c> is a new address waiting for its activation (R-U5).</summary>
public sealed record MeResponse(string Email, string DisplayName, string Language, IReadOnlyList<string> CompanyIds, bool MailOptOut, string? PendingEmail)
{
    public static MeResponse From(AccountView account) =>
        new(account.Email, account.DisplayName, account.Language, account.CompanyIds, account.MailOptOut, account.PendingEmail);
}

/// <summary>The code from the activation (or e-mail change) mail for the address it was sent to.</summary>
public sealed record ActivateAccountRequest(string Email, string Code);

/// <summary>
/// Changes to the signed-in account (R-U5): <c>currentPassword</c> is always required; omitted
/// fields stay as they are. A new <c>email</c> takes effect once activated with the mailed code.
/// </summary>
public sealed record UpdateMeRequest(string CurrentPassword, string? DisplayName = null, string? Language = null, bool? MailOptOut = null, string? NewPassword = null, string? Email = null);

/// <summary>A mail in the outbox.</summary>
public sealed record MailResponse(string To, string Kind, string Language, string Subject, string Body, DateTimeOffset CreatedAt);

public sealed record TokenRequest(string Email, string Password);

/// <summary>An access token (a JWT, <see cref="ExpiresIn"/> seconds) and the one-use refresh token that gets the next one.</summary>
public sealed record TokenResponse(string AccessToken, int ExpiresIn, string TokenType, string RefreshToken, int RefreshExpiresIn);

public sealed record RefreshTokenRequest(string RefreshToken);

public sealed record CreateCompanyRequest(string Name);

public sealed record CompanyResponse(string CompanyId, string Name, string DefaultProjectId, string? Street = null, string? PostalCode = null, string? City = null, string? Country = null, string? Phone = null)
{
    public static CompanyResponse From(CompanyView view) => new(
        view.CompanyId, view.Name, view.DefaultProjectId, view.Details?.Street, view.Details?.PostalCode, view.Details?.City, view.Details?.Country, view.Details?.Phone);
}

/// <summary>An edit of company data (admins only, R-U2): omitted fields stay, an empty string clears an optional one.</summary>
public sealed record UpdateCompanyRequest(string? Name = null, string? Street = null, string? PostalCode = null, string? City = null, string? Country = null, string? Phone = null);

/// <summary>A company member (R-U1); <c>rights</c> are what the member may do (admins hold every right).</summary>
public sealed record MemberResponse(string Email, bool Admin, bool Locked, IReadOnlyList<string> Rights)
{
    public static MemberResponse From(Membership member) => new(member.Email, member.Admin, member.Locked, [.. member.EffectiveRights]);
}

/// <summary>A removed member (R-U4): the membership as it was, when and by whom it was removed.</summary>
public sealed record FormerMemberResponse(string Email, bool Admin, bool Locked, IReadOnlyList<string> Rights, DateTimeOffset RemovedAt, string RemovedBy)
{
    public static FormerMemberResponse From(FormerMember former) => new(
        former.Membership.Email, former.Membership.Admin, former.Membership.Locked, [.. former.Membership.EffectiveRights], former.RemovedAt, former.RemovedBy);
}

/// <summary>Adds an account to the company (R-U2); rights among BuyOnCredit, MoveLicenses, CheckDeviceStatus, RequestCertificate.</summary>
public sealed record AddMemberRequest(string Email, bool? Admin = null, bool? Locked = null, List<string>? Rights = null);

/// <summary>Changes a member (R-U2); omitted fields stay. <c>rights</c> replaces the granted rights.</summary>
public sealed record UpdateMemberRequest(bool? Admin = null, bool? Locked = null, List<string>? Rights = null);

public sealed record CreateProjectRequest(string Name, string? Description = null);

/// <summary>Renames and/or describes a project (R-P1); omitted fields stay, an empty description clears it.</summary>
public sealed record UpdateProjectRequest(string? Name = null, string? Description = null, bool? SsaExpiryMails = null);

/// <summary>Grants a company (by company id) rights on a project (R-P2).</summary>
public sealed record ProjectRightRequest(string? CompanyId);

/// <summary>The companies holding rights on a project (R-P2).</summary>
public sealed record ProjectRightsResponse(string ProjectId, IReadOnlyList<string> CompanyIds);

public sealed record ProjectResponse(string ProjectId, string Name, string? Description, DateOnly? SsaEndDate, bool SsaExpiryMails = true)
{
    public static ProjectResponse From(ProjectView view) => new(view.ProjectId, view.Name, view.Description, view.SsaEndDate, view.SsaExpiryMails);
}

public sealed record MintKeyRequest(Dictionary<string, int> Licenses, string? OrderNumber = null);

public sealed record ActivationKeyResponse(string Key, IReadOnlyDictionary<string, int> Licenses, string? OrderNumber);

public sealed record HardwareItem(string Mac, string DeviceType, string OrderNumber, DateOnly ShipDate, string? CertificatePublicKey = null);

public sealed record RegisterHardwareRequest(List<HardwareItem> Devices);

public sealed record RegisteredDevice(string Mac, string DeviceSecret);

public sealed record RegisterHardwareResponse(IReadOnlyList<RegisteredDevice> Devices);

public sealed record RedeemRequest(string Key, string? Comment = null);

public sealed record RedeemResponse(string Key, IReadOnlyDictionary<string, int> Licenses, string ProjectId);

public sealed record BalanceResponse(string ProjectId, IReadOnlyDictionary<string, int> Licenses);

/// <summary>The company's balance: the sum over its own projects (R-P5), and each project's share.</summary>
public sealed record CompanyBalanceResponse(string CompanyId, IReadOnlyDictionary<string, int> Licenses);

/// <summary>A key redeemed into a project (R-K2); <c>redeemedBy</c> is the e-mail of the user who redeemed it.</summary>
public sealed record RedeemedKeyResponse(string Key, IReadOnlyDictionary<string, int> Licenses, string ProjectId, string? Comment, DateTimeOffset RedeemedAt, string? RedeemedBy)
{
    public static RedeemedKeyResponse From(RedeemedKey key) => new(key.Key, key.Licenses, key.ProjectId, key.Comment, key.RedeemedAt, key.RedeemedBy);
}

/// <summary>
/// A license certificate (R-K4): the facts, and <c>document</c>, the same facts as XML signed
/// with the key of <c>GET /api/v1/catalog/signing-key</c> (like a license file). Ask with
/// <c>Accept: text/plain</c> for a printable rendering.
/// </summary>
public sealed record CertificateResponse(
    string Key,
    IReadOnlyDictionary<string, int> Licenses,
    string? OrderNumber,
    string? OrderReference,
    string? RedeemingProjectId,
    string? RedeemingProjectName,
    DateTimeOffset? RedeemedAt,
    DateTimeOffset IssuedAt,
    string Document);

public sealed record MacRange(string From, string To);

/// <summary>A device with its secret as proof of possession (R-D2).</summary>
public sealed record DeviceWithProof(string Mac, string? DeviceSecret = null);

/// <summary>Exactly one of <c>macs</c>, <c>range</c>, <c>orderNumber</c> or <c>devices</c>.</summary>
public sealed record AddDevicesRequest(List<string>? Macs = null, MacRange? Range = null, string? OrderNumber = null, List<DeviceWithProof>? Devices = null);

public sealed record DeviceAddResultResponse(string Mac, string Status, string? Code);

public sealed record AddDevicesResponse(IReadOnlyList<DeviceAddResultResponse> Results);

public sealed record LotResponse(string Type, int Units, string Version, DateOnly BindDate, DateOnly? SsaEndDate, string? ExternalKey = null, string? LotId = null)
{
    public static LotResponse From(LicenseLot lot) => new(lot.Type, lot.Units, lot.Version, lot.BindDate, lot.SsaEndDate, lot.ExternalKey, lot.LotId);
}

/// <param name="NoDowngrade">R-V3: no license file below V8 any more (V5–V7 licenses were returned with consent).</param>
/// <param name="NotReturnableLots">R-V4: ids of the lots downloaded unencrypted, which invalidation does not return.</param>
public sealed record DeviceResponse(string Mac, string? DeviceType, string? ProjectId, string? Name, string? Comment, IReadOnlyList<LotResponse> Licenses, bool Rma, bool NoDowngrade = false, IReadOnlyList<string>? NotReturnableLots = null)
{
    public static DeviceResponse From(DeviceView view) =>
        new(view.Mac, view.DeviceType, view.ProjectId, view.Name, view.Comment, view.Lots.Select(LotResponse.From).ToArray(), view.Rma, view.NoDowngrade, [.. view.NotReturnable.Keys]);
}

/// <param name="Licenses">Type → units to bind; may be omitted when <paramref name="WishedPorts"/> is given.</param>
/// <param name="WishedPorts">R-L3 (V8 and later): a total of PBX ports; the service adds the cheapest combination of port packages the balances cover (see <c>proposal</c>).</param>
/// <param name="SsaEndDate">R-L2 SSA option: <c>yyyy-MM-dd</c>, or <c>project</c> for the SSA end of the device's project; the new lots that carry SSC get it, the SSC (quoted in <c>ssa</c>) are paid from the project's SSC balance, or on credit, in the same transaction.</param>
/// <param name="SsaExcludedTypes">License types of the request that do not get the SSA option.</param>
/// <param name="BuyOnCredit">R-S4: buy the licenses (and the SSC of the SSA option) on credit instead of drawing them from balances; needs the right BuyOnCredit and an <c>orderNumber</c>.</param>
/// <param name="CountCurrent">R-L2: the device's lots of older versions (V6, V7) count toward the configuration of <c>version</c> in the PBX rules.</param>
public sealed record AddLicensesRequest(
    string Version,
    Dictionary<string, int>? Licenses = null,
    List<string>? FromProjects = null,
    bool? DryRun = null,
    int? WishedPorts = null,
    string? SsaEndDate = null,
    List<string>? SsaExcludedTypes = null,
    bool? BuyOnCredit = null,
    string? OrderNumber = null,
    bool? CountCurrent = null);

/// <summary>R-L3: the port packages chosen for <c>wishedPorts</c> — the fewest SSC per year, then the fewest lots; a preview the caller may change and send as <c>licenses</c>.</summary>
public sealed record PackageProposalResponse(IReadOnlyDictionary<string, int> Licenses, int Ports, long SscPerYear, int Lots);

public sealed record DebitResponse(string ProjectId, IReadOnlyDictionary<string, int> Licenses);

/// <param name="Ssa">The SSC quote of the SSA option (paid unless <c>dryRun</c>).</param>
/// <param name="OnCredit">The licenses were bought on credit (nothing was debited).</param>
public sealed record AddLicensesResponse(string Mac, IReadOnlyList<LotResponse> Lots, IReadOnlyList<DebitResponse> Debited, PackageProposalResponse? Proposal = null, AddedSsaResponse? Ssa = null, bool OnCredit = false)
{
    public static AddLicensesResponse From(AddLicensesResult result, PackageProposalResponse? proposal = null) => new(
        result.Mac,
        result.Lots.Select(LotResponse.From).ToArray(),
        result.Debited.Select(d => new DebitResponse(d.ProjectId, d.Licenses)).ToArray(),
        proposal,
        result.Ssa is { } ssa ? new AddedSsaResponse(ssa.EndDate, [.. ssa.Lots.Select(q => new SscLotResponse(q.Type, q.Units, q.CoverageStart, q.DaysTwice, q.DaysOnce, q.Multiplier, q.Ssc))], ssa.TotalSsc, ssa.OnCredit) : null,
        result.OnCredit);
}

/// <summary>The SSA option's quote: per new lot from today to <c>endDate</c> (R-S1..R-S3).</summary>
public sealed record AddedSsaResponse(DateOnly EndDate, IReadOnlyList<SscLotResponse> Lots, long TotalSsc, bool OnCredit);

/// <summary>The device poll answer (built by the device grain; described here for OpenAPI).</summary>
/// <param name="Document">The signed XML of R-V2 for the current version (SPEC §4.1).</param>
/// <param name="EncryptedDocument">For a device whose current version is V8 or later: the same document encrypted for the device (docs/license-files.md); absent for V5–V7.</param>
public sealed record DeviceLicenseResponse(string Mac, IReadOnlyList<LotResponse> Licenses, DateTimeOffset? TestModeUntil, string Document, string? EncryptedDocument = null);

public sealed record SscLotRequest(string Type, int Units, string Version, DateOnly BindDate, DateOnly? SsaEndDate = null);

public sealed record SscQuoteRequest(DateOnly CalculationDate, DateOnly EndDate, List<SscLotRequest> Lots);

public sealed record SscLotResponse(string Type, int Units, DateOnly CoverageStart, int DaysTwice, int DaysOnce, decimal Multiplier, long Ssc);

public sealed record SscQuoteResponse(IReadOnlyList<SscLotResponse> Lots, long TotalSsc);

public sealed record VersionResponse(string Version, DateOnly ReleaseDate, bool Current);

public sealed record LicenseTypeResponse(string Code, int SscPerUnitPerYear, string Description, string Category, int Ports, string MinVersion, string? MaxVersion, bool ExternalKey);

public sealed record DeviceTypeResponse(string Code, IReadOnlyDictionary<string, int> Maxima, string Description);

/// <param name="PublicKeyPem">The current key (PEM); <paramref name="Keys"/> lists it with the previous keys that still verify older files.</param>
/// <param name="SignatureEncoding">How the base64 of a <c>signature</c> element is encoded: <c>DER</c> (RFC 3279), as <c>openssl dgst -verify</c> reads it.</param>
public sealed record SigningKeyResponse(string Algorithm, string PublicKeyPem, string KeyId, string SignatureEncoding, IReadOnlyList<PublishedKeyResponse> Keys);

public sealed record PublishedKeyResponse(string KeyId, string PublicKeyPem, bool Current);

public sealed record HealthResponse(string Status);

public sealed record AuditLineResponse(string Type, long Minted, long Held, long Consumed, long Difference, IReadOnlyDictionary<string, long> HeldBy);

/// <param name="Unsettled">License types whose non-zero difference unit moves in flight during the audit could explain (not a finding; the next audit tells).</param>
public sealed record AuditResponse(bool Balanced, IReadOnlyList<AuditLineResponse> LicenseTypes, int Holders, DateTimeOffset At, IReadOnlyList<string> Unsettled);

/// <param name="StartedAt">When the run in progress started (callers that joined it see the same instant).</param>
/// <param name="Pass">The pass over the holders (a pass is repeated, at most 3 times, while unit moves in flight could explain a difference).</param>
/// <param name="HoldersRead">Holders read in this pass.</param>
/// <param name="HoldersKnown">Holders the registry knows (an upper bound of what the pass reads).</param>
public sealed record AuditRunResponse(DateTimeOffset StartedAt, int Pass, int HoldersRead, int HoldersKnown);

/// <param name="Running">The audit in progress; null when none runs.</param>
/// <param name="Last">The last complete audit of the cluster's audit job; null before the first.</param>
public sealed record AuditProgressResponse(AuditRunResponse? Running, AuditResponse? Last);

public sealed record LotSelectionRequest(List<string> LotIds);

public sealed record MoveLicensesRequest(string TargetMac);

public sealed record CreateOwnKeyRequest(Dictionary<string, int> Licenses, string? Comment = null, string? OrderNumber = null, string? OrderReference = null);

public sealed record UpdateOwnKeyRequest(Dictionary<string, int> Licenses);

/// <summary>An own key (R-K3); <c>redeemed</c> tells whether it has been redeemed (then it can no longer change).</summary>
public sealed record OwnKeyResponse(string Key, IReadOnlyDictionary<string, int> Licenses, string? OrderNumber, string? OrderReference, string? ProjectId, string? Comment = null, bool Redeemed = false);

public sealed record ConvertResponse(string ProjectId, IReadOnlyDictionary<string, int> Credited);

/// <summary>R-U3: the company to join into the caller's, and the login of one of its admins.</summary>
public sealed record CompanyJoinRequest(string? CompanyId, string? Email, string? Password);

/// <summary>R-P4: the project to join into; <c>dryRun</c> previews (any <c>calculationDate</c>), otherwise the join starts (today only).</summary>
public sealed record ProjectJoinRequest(string? TargetProjectId, bool? DryRun = null, DateOnly? CalculationDate = null);

/// <summary>
/// A join's progress: <c>state</c> is <c>running</c>, <c>completed</c> or <c>failed</c> (with <c>error</c>);
/// <c>batchesDone</c> counts committed batches (one transaction each), <c>itemsDone</c> the projects, devices, keys and members they moved.
/// </summary>
public sealed record JoinStatusResponse(string ProcessId, string State, long BatchesDone, long ItemsDone, string? Error, DateTimeOffset? StartedAt, DateTimeOffset? UpdatedAt, string StatusUrl)
{
    public static JoinStatusResponse From(ProcessStatus status, string url) => new(
        status.ProcessId,
        status.State switch
        {
            ProcessState.Running => "running",
            ProcessState.Completed => "completed",
            ProcessState.Failed => "failed",
            _ => "notStarted",
        },
        status.BatchesDone,
        status.ItemsDone,
        status.Error,
        status.StartedAt,
        status.UpdatedAt,
        url);
}

/// <summary>One device lot a project join brings to the target's SSA end, with its SSC quote (R-S1..R-S3).</summary>
public sealed record ProjectJoinLotResponse(string Mac, string LotId, string Type, int Units, DateOnly CoverageStart, int DaysTwice, int DaysOnce, decimal Multiplier, long Ssc);

/// <summary>What a project join would move (R-P4) and, when the target is under SSA, what bringing the licenses to its SSA end costs.</summary>
public sealed record ProjectJoinPreviewResponse(
    string SourceProjectId,
    string TargetProjectId,
    IReadOnlyList<string> Devices,
    IReadOnlyDictionary<string, int> Balance,
    IReadOnlyList<LotResponse> FreeLicenses,
    IReadOnlyList<string> ActivationKeys,
    IReadOnlyList<string> OwnKeys,
    DateOnly? SsaEndDate,
    DateOnly CalculationDate,
    IReadOnlyList<ProjectJoinLotResponse> Lots,
    long TotalSsc)
{
    public static ProjectJoinPreviewResponse From(ProjectJoinPreview preview) => new(
        preview.SourceProjectId,
        preview.TargetProjectId,
        preview.Devices,
        preview.Balance,
        [.. preview.FreeLicenses.Select(LotResponse.From)],
        preview.RedeemedKeys,
        preview.OwnKeys,
        preview.SsaEndDate,
        preview.CalculationDate,
        [.. preview.Ssa.Select(l => new ProjectJoinLotResponse(l.Mac, l.LotId, l.Quote.Type, l.Quote.Units, l.Quote.CoverageStart, l.Quote.DaysTwice, l.Quote.DaysOnce, l.Quote.Multiplier, l.Quote.Ssc))],
        preview.TotalSsc);
}
