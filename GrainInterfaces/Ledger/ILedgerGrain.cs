using System.Collections.Immutable;

namespace OrleansLicensing.Contracts;

/// <summary>
/// Runs every move of license units between holders as one Orleans transaction (R-C1), then
/// tells the holders whose poll answers changed. Stateless: any silo runs it next to the caller.
/// Callers key it by the company whose units move (<see cref="LedgerLanes"/>).
/// </summary>
public interface ILedgerGrain : IGrainWithIntegerKey
{
    /// <summary>Mints a key (R-K1) and records the minted units (R-C2) in one transaction.</summary>
    Task<ActivationKeyView> MintKeyAsync(ImmutableSortedDictionary<string, int> licenses, string? orderNumber, IdempotencyToken? idempotency = null);

    /// <summary>Moves a key's units into a project's balance, exactly once (R-K2); <paramref name="redeemedBy"/> is recorded with the key in the project.</summary>
    Task<RedeemResult> RedeemKeyAsync(string code, string companyId, string projectId, string? comment, IdempotencyToken? idempotency = null, string? redeemedBy = null);

    /// <summary>Binds units from project balances to a device (R-L2, R-P6); all or nothing.</summary>
    Task<AddLicensesResult> AddLicensesFromBalanceAsync(AddLicensesCommand command, IdempotencyToken? idempotency = null);

    /// <summary>
    /// Binds <paramref name="years"/> years of warranty extension from the device's project balance
    /// (R-L7): <c>Warranty-Early</c> within 30 days after the ship date, <c>Warranty</c> later; at
    /// most four years per device in total (<c>WarrantyLimitExceeded</c>, checked under the device's lock).
    /// </summary>
    Task<AddLicensesResult> AddWarrantyAsync(string companyId, string mac, int years, IdempotencyToken? idempotency = null);

    /// <summary>Device → its project's free pool (the PBX lots, or the named ones).</summary>
    Task<ImmutableArray<LicenseLot>> ReturnToFreePoolAsync(string companyId, string mac, ImmutableArray<string> lotIds, IdempotencyToken? idempotency = null);

    /// <summary>
    /// A user's download of a device's license file (R-V2..R-V4) as one transaction: an
    /// unencrypted one marks the lots in it not returnable. Moves no units.
    /// </summary>
    Task<LicenseFile> DownloadLicenseFileAsync(string companyId, string mac, string version, bool? encrypted);

    /// <summary>The versions <see cref="DownloadLicenseFileAsync"/> offers the device today (R-V3): the ledger's clock decides the day, as for the download.</summary>
    Task<ImmutableArray<string>> GetOfferedVersionsAsync(string companyId, string mac);

    /// <summary>
    /// R-V5: verifies the invalidation document against the device's current certificate key
    /// (<see cref="ErrorCodes.DeviceCertificateRequired"/>, <see cref="ErrorCodes.InvalidSignature"/>),
    /// then moves the PBX lots it returns to the free pool of the device's project, with the replay
    /// and returnability checks, in one transaction. No idempotency key: the document's sequence
    /// makes a second presentation a replay; the confirmation file can be downloaded again.
    /// </summary>
    Task<InvalidationResult> InvalidateAsync(string companyId, string mac, string document);

    /// <summary>Free pool → device, lots keep bind date, SSA end and external key (R-L4).</summary>
    Task<ImmutableArray<LicenseLot>> AddFromFreePoolAsync(string companyId, string mac, ImmutableArray<string> lotIds, IdempotencyToken? idempotency = null);

    /// <summary>
    /// Free pool → balance, paying one year of SSC per unit, consumed (R-V6); with <paramref name="version"/>,
    /// lots under SSA convert to that version (VersionNotOffered for a lot not under SSA or a version it cannot reach).
    /// </summary>
    Task<ImmutableSortedDictionary<string, int>> ConvertFreePoolAsync(string companyId, string projectId, ImmutableArray<string> lotIds, IdempotencyToken? idempotency = null, string? version = null);

    /// <summary>Device → device: all but warranty lots, only to a device without licenses (R-L5).</summary>
    Task<ImmutableArray<LicenseLot>> MoveLicensesAsync(string companyId, string fromMac, string toMac, IdempotencyToken? idempotency = null);

    /// <summary>Project → project of the same company.</summary>
    Task TransferBalanceAsync(string companyId, string fromProjectId, string toProjectId, ImmutableSortedDictionary<string, int> licenses, IdempotencyToken? idempotency = null);

    /// <summary>Balance → new own key (R-K3).</summary>
    Task<ActivationKeyView> CreateOwnKeyAsync(OwnKeyDraft draft, IdempotencyToken? idempotency = null);

    /// <summary>Balance ↔ own key: positive units leave the balance, negative ones return (R-K3).</summary>
    Task<ActivationKeyView> UpdateOwnKeyAsync(string companyId, string code, ImmutableSortedDictionary<string, int> delta, IdempotencyToken? idempotency = null);

    /// <summary>Own key → balance, deleting the key (R-K3).</summary>
    Task<ActivationKeyView> DeleteOwnKeyAsync(string companyId, string code, IdempotencyToken? idempotency = null);

    /// <summary>
    /// Closes an empty project for deletion (R-P3) in one transaction with the emptiness check, so
    /// no redeem or credit can slip in between; moves no units.
    /// </summary>
    Task CloseProjectAsync(string projectId);

    /// <summary>
    /// The first transaction of a project join (R-P4): the source's balance, free pool and key
    /// records move to the target, which pays <paramref name="ssc"/> for the SSA extension (consumed, R-C2).
    /// </summary>
    Task<ProjectHandOver> JoinProjectFundsAsync(string sourceProjectId, string targetProjectId, ImmutableSortedDictionary<string, int> ssc, IdempotencyToken? idempotency = null);

    /// <summary>Re-points a batch of devices for a join (R-U3, R-P4) in one transaction; returns the MACs that changed.</summary>
    Task<ImmutableArray<string>> RepointDevicesAsync(Repoint repoint, ImmutableArray<DeviceRepoint> devices, IdempotencyToken? idempotency = null);

    /// <summary>Re-points a batch of activation keys for a join (R-U3, R-P4) in one transaction; returns how many changed.</summary>
    Task<int> RepointKeysAsync(Repoint repoint, ImmutableArray<string> codes, IdempotencyToken? idempotency = null);

    /// <summary>
    /// Quotes (dry run) or sets a project's SSA end date (R-S1..R-S4): the payment, the project's
    /// end date and the lots' end dates in one transaction; then the project's view and its expiry
    /// reminder follow the committed date (R-S5).
    /// </summary>
    Task<SsaQuote> SetSsaAsync(SsaCommand command, IdempotencyToken? idempotency = null);

    /// <summary>
    /// Reship after RMA (R-D7): the device's lots but warranty extensions go to the free pool of
    /// <paramref name="freedProjectId"/> and the device leaves <paramref name="companyId"/>, in one transaction.
    /// </summary>
    Task<DeviceLotChange> ReshipRmaAsync(string companyId, string mac, string? freedProjectId, IdempotencyToken? idempotency = null);

    /// <summary>
    /// Moves devices into another project of their company (R-D6) in one transaction; into a project
    /// under SSA their lots under SSA are quoted up to its end date and, unless a dry run, extended
    /// and paid (R-S1..R-S4). The projects' device lists follow after the commit.
    /// </summary>
    Task<MoveDevicesResult> MoveDevicesAsync(MoveDevicesCommand command, IdempotencyToken? idempotency = null);

    /// <summary>An old group's balance into a project, minted with source Import (R-I2); AlreadyImported the second time.</summary>
    Task<ImmutableSortedDictionary<string, int>> ImportLegacyBalanceAsync(string companyId, string projectId, string groupId, IdempotencyToken? idempotency = null);

    /// <summary>A batch of old devices (already in the project) gets its licenses minted with source Import (R-I2), one result per device.</summary>
    Task<ImmutableArray<LegacyDeviceResult>> ImportLegacyDevicesAsync(string companyId, string projectId, ImmutableArray<string> macs, IdempotencyToken? idempotency = null);
}
