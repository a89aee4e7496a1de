using System.Collections.Immutable;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Domain;
using OrleansLicensing.Grains.History;
using OrleansLicensing.Grains.Ledger;

namespace OrleansLicensing.Grains.Grains;

/// <summary>
/// The one place that moves license units (R-C1): each method builds the move it names
/// (<c>Grains/Ledger/Moves</c>) and hands it to the <see cref="LedgerRunner"/>, which runs it as
/// one transaction with the idempotency record, retries, metrics, holder registration and
/// post-commit device refresh. Invariants live with the state they guard: balances never go
/// negative (ProjectGrain), a key is redeemed once (ActivationKeyGrain), a device's membership,
/// emptiness for a move (R-L5) and consistency rules (R-L2) are checked under its lock (DeviceGrain).
/// Not [Reentrant]: one move at a time per activation (a stateless worker has up to one per core
/// and key) bounds how many transactions contend for a hot balance; reentrancy measured slower
/// (docs/consistency.md). The gateway keys it by company (D126), so companies do not queue behind
/// each other's moves.
/// </summary>
[StatelessWorker]
public sealed class LedgerGrain(
    ITransactionClient transactions,
    Catalog catalog,
    [FromKeyedServices(LicensingClock.Key)] TimeProvider time,
    LedgerMetrics metrics,
    MoveTracker tracker,
    ILogger<LedgerRunner> logger,
    ChangeFeed feed) : Grain, ILedgerGrain
{
    private readonly LicenseConsistency _consistency = new(catalog);
    private LedgerRunner? _runner;

    private LedgerRunner Runner => _runner ??= new LedgerRunner(GrainFactory, transactions, metrics, logger, tracker, feed);

    public Task<ActivationKeyView> MintKeyAsync(ImmutableSortedDictionary<string, int> licenses, string? orderNumber, IdempotencyToken? idempotency = null) =>
        Runner.RunAsync(new MintKeyMove(Codes.NewActivationKey(), licenses, orderNumber), idempotency);

    public Task<RedeemResult> RedeemKeyAsync(string code, string companyId, string projectId, string? comment, IdempotencyToken? idempotency = null, string? redeemedBy = null) =>
        Runner.RunAsync(new RedeemKeyMove(code, companyId, projectId, comment, time, redeemedBy), idempotency);

    public async Task<AddLicensesResult> AddLicensesFromBalanceAsync(AddLicensesCommand command, IdempotencyToken? idempotency = null)
    {
        var today = Today;
        if (command.BuyOnCredit)
        {
            await EnsureMayBuyOnCreditAsync(command.CompanyId, command.UserEmail, command.OrderNumber);
        }

        if (command.Licenses.ContainsKey(WarrantyRules.WarrantyEarly))
        {
            WarrantyRules.CheckEarlyWindow(command.Licenses.Keys, (await RegistrationAsync(command.Mac)).ShipDate, today);
        }

        return await Runner.RunAsync(new AddFromBalanceMove(command, _consistency, catalog, today), idempotency);
    }

    public async Task<AddLicensesResult> AddWarrantyAsync(string companyId, string mac, int years, IdempotencyToken? idempotency = null)
    {
        WarrantyRules.CheckYears(years);
        var today = Today;
        var type = WarrantyRules.TypeFor((await RegistrationAsync(mac)).ShipDate, today);
        var command = new AddLicensesCommand(companyId, mac, catalog.CurrentVersion(today).Version, LicenseMath.ToMap([KeyValuePair.Create(type, years)]), [], DryRun: false);
        return await Runner.RunAsync(new AddFromBalanceMove(command, _consistency, catalog, today), idempotency);
    }

    /// <summary>R-S4, enforced here and not only by the gateway: the member's rights as they are now, and an order number.</summary>
    private async Task EnsureMayBuyOnCreditAsync(string companyId, string? userEmail, string? orderNumber)
    {
        var member = userEmail is null ? null : await GrainFactory.GetGrain<ICompanyGrain>(companyId).AuthorizeAsync(userEmail, null);
        if (member is null || !member.EffectiveRights.Contains(CompanyRights.BuyOnCredit))
        {
            throw new LicensingException(ErrorCodes.CreditNotAllowed, "Buying on credit needs the right BuyOnCredit in this company.");
        }

        if (string.IsNullOrWhiteSpace(orderNumber))
        {
            throw LicensingException.Validation("A purchase on credit needs an 'orderNumber'.");
        }
    }

    private DateOnly Today => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    /// <summary>The vendor's registration of a device (it never changes once made).</summary>
    private async Task<HardwareRegistration> RegistrationAsync(string mac) =>
        (await GrainFactory.GetGrain<IHardwareGrain>(mac).GetAsync())?.Registration ?? throw LicensingException.NotFound("The device");

    public Task<ImmutableArray<LicenseLot>> ReturnToFreePoolAsync(string companyId, string mac, ImmutableArray<string> lotIds, IdempotencyToken? idempotency = null) =>
        Runner.RunAsync(new ReturnToFreePoolMove(companyId, mac, lotIds), idempotency);

    public Task<LicenseFile> DownloadLicenseFileAsync(string companyId, string mac, string version, bool? encrypted) =>
        Runner.RunAsync(new DownloadLicenseFileMove(companyId, mac, version, encrypted, Today));

    public Task<ImmutableArray<string>> GetOfferedVersionsAsync(string companyId, string mac) =>
        GrainFactory.GetGrain<IDeviceGrain>(mac).GetOfferedVersionsAsync(companyId, Today);

    public async Task<InvalidationResult> InvalidateAsync(string companyId, string mac, string document)
    {
        // Verified before the transaction: the signature needs no lock, and a refused document
        // (no certificate, a changed byte) never touches the device.
        var certificates = await GrainFactory.GetGrain<IDeviceCertificateGrain>(mac).GetAsync();
        var claim = InvalidationDocuments.Verify(document, mac, certificates.Current?.PublicKeyPem);
        return await Runner.RunAsync(new InvalidateMove(companyId, mac, claim, time.GetUtcNow()));
    }

    public Task<ImmutableArray<LicenseLot>> AddFromFreePoolAsync(string companyId, string mac, ImmutableArray<string> lotIds, IdempotencyToken? idempotency = null) =>
        Runner.RunAsync(new AddFromFreePoolMove(companyId, mac, lotIds), idempotency);

    public Task<ImmutableSortedDictionary<string, int>> ConvertFreePoolAsync(string companyId, string projectId, ImmutableArray<string> lotIds, IdempotencyToken? idempotency = null, string? version = null) =>
        Runner.RunAsync(new ConvertFreePoolMove(companyId, projectId, lotIds, catalog, version, Today), idempotency);

    public Task<ImmutableArray<LicenseLot>> MoveLicensesAsync(string companyId, string fromMac, string toMac, IdempotencyToken? idempotency = null) =>
        Runner.RunAsync(new DeviceToDeviceMove(companyId, fromMac, toMac), idempotency);

    public Task TransferBalanceAsync(string companyId, string fromProjectId, string toProjectId, ImmutableSortedDictionary<string, int> licenses, IdempotencyToken? idempotency = null) =>
        Runner.RunAsync(new TransferBalanceMove(companyId, fromProjectId, toProjectId, licenses), idempotency);

    public Task<ActivationKeyView> CreateOwnKeyAsync(OwnKeyDraft draft, IdempotencyToken? idempotency = null) =>
        Runner.RunAsync(new CreateOwnKeyMove(Codes.NewActivationKey(), draft, time), idempotency);

    public Task<ActivationKeyView> UpdateOwnKeyAsync(string companyId, string code, ImmutableSortedDictionary<string, int> delta, IdempotencyToken? idempotency = null) =>
        Runner.RunAsync(new UpdateOwnKeyMove(companyId, code, delta), idempotency);

    public Task<ActivationKeyView> DeleteOwnKeyAsync(string companyId, string code, IdempotencyToken? idempotency = null) =>
        Runner.RunAsync(new DeleteOwnKeyMove(companyId, code), idempotency);

    public Task CloseProjectAsync(string projectId) =>
        Runner.RunAsync(new CloseProjectMove(projectId));

    public Task<ProjectHandOver> JoinProjectFundsAsync(string sourceProjectId, string targetProjectId, ImmutableSortedDictionary<string, int> ssc, IdempotencyToken? idempotency = null) =>
        Runner.RunAsync(new JoinProjectFundsMove(sourceProjectId, targetProjectId, ssc), idempotency);

    public Task<ImmutableArray<string>> RepointDevicesAsync(Repoint repoint, ImmutableArray<DeviceRepoint> devices, IdempotencyToken? idempotency = null) =>
        Runner.RunAsync(new RepointDevicesMove(repoint, devices), idempotency);

    public Task<int> RepointKeysAsync(Repoint repoint, ImmutableArray<string> codes, IdempotencyToken? idempotency = null) =>
        Runner.RunAsync(new RepointKeysMove(repoint, codes), idempotency);

    /// <summary>
    /// The most devices one SSA transaction dates. Every device is a participant of the payment's
    /// transaction (a write lock and a storage write each), and Orleans breaks a lock held longer
    /// than <c>TransactionalStateOptions.LockTimeout</c> (8 s). Measured on the SQLite node (Debug,
    /// two shared cores): 2,000 devices confirm in 2.8 s, 6,000 in 7.9 s. Beyond this bound the
    /// request is refused rather than left to abort under its own size.
    /// </summary>
    public const int MaxSsaDevices = 2_000;

    public async Task<SsaQuote> SetSsaAsync(SsaCommand command, IdempotencyToken? idempotency = null)
    {
        if (command.BuyOnCredit && !command.DryRun)
        {
            await EnsureMayBuyOnCreditAsync(command.CompanyId, command.UserEmail, command.OrderNumber);
        }

        var project = GrainFactory.GetGrain<IProjectGrain>(command.ProjectId);
        var devices = await project.ListDevicesAsync();
        if (devices.Length > MaxSsaDevices)
        {
            throw new LicensingException(ErrorCodes.Conflict, $"The project has {devices.Length} devices; one SSA payment dates at most {MaxSsaDevices}. Move devices into another project and put that one under SSA too.");
        }

        var quote = await Runner.RunAsync(new SetSsaMove(command, devices, catalog, DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime)), idempotency);
        if (quote.Confirmed)
        {
            await project.RefreshSsaAsync();
        }

        return quote;
    }

    public Task<ImmutableSortedDictionary<string, int>> ImportLegacyBalanceAsync(string companyId, string projectId, string groupId, IdempotencyToken? idempotency = null) =>
        Runner.RunAsync(new ImportLegacyBalanceMove(companyId, projectId, groupId, time.GetUtcNow()), idempotency);

    public Task<ImmutableArray<LegacyDeviceResult>> ImportLegacyDevicesAsync(string companyId, string projectId, ImmutableArray<string> macs, IdempotencyToken? idempotency = null) =>
        Runner.RunAsync(new ImportLegacyDevicesMove(companyId, projectId, macs, time.GetUtcNow()), idempotency);

    public Task<DeviceLotChange> ReshipRmaAsync(string companyId, string mac, string? freedProjectId, IdempotencyToken? idempotency = null) =>
        Runner.RunAsync(new ReshipRmaMove(companyId, mac, freedProjectId), idempotency);

    public async Task<MoveDevicesResult> MoveDevicesAsync(MoveDevicesCommand command, IdempotencyToken? idempotency = null)
    {
        // R-D6: the target is under SSA while its end date is not before the calculation date; an expired SSA extends nothing.
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var targetView = await GrainFactory.GetGrain<IProjectGrain>(command.TargetProjectId).GetAsync();
        var ssaEnd = targetView.SsaEndDate is { } end && end >= (command.CalculationDate ?? today) ? end : (DateOnly?)null;
        var result = await Runner.RunAsync(new MoveDevicesMove(command with { TargetSsaEndDate = ssaEnd }, catalog, today), idempotency);
        if (result.Confirmed)
        {
            // The projects' device lists follow the committed memberships (as after a join's repoint).
            var target = GrainFactory.GetGrain<IProjectGrain>(result.TargetProjectId);
            foreach (var moved in result.Devices.Where(d => d.Moved))
            {
                await target.AttachDeviceAsync(moved.Mac);
                if (moved.FromProjectId is { } from)
                {
                    await GrainFactory.GetGrain<IProjectGrain>(from).DetachDeviceAsync(moved.Mac);
                }
            }
        }

        return result;
    }
}
