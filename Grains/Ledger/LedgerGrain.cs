using System.Collections.Immutable;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Orleans.Transactions;
using Orleans.Transactions.Abstractions;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Domain;

namespace OrleansLicensing.Grains.Grains;

/// <summary>
/// The one place that moves license units (R-C1). Every operation is one Orleans transaction
/// over the grains it touches, run by <see cref="RunAsync{T}"/>, which also
/// <list type="bullet">
/// <item>records the result under the caller's idempotency key in the same transaction,</item>
/// <item>retries aborts caused by contention or an unreachable participant with jittered back-off (then the caller sees TransientConflict),</item>
/// <item>surfaces domain errors as themselves, and</item>
/// <item>after commit, tells the devices it changed to rebuild their poll answers (R-C3).</item>
/// </list>
/// Invariants live with the state they guard: balances never go negative (ProjectGrain), a key
/// is redeemed once (ActivationKeyGrain), a move targets an empty device (DeviceGrain), and the
/// per-device consistency rules (LicenseConsistency) are checked here before any lot lands.
/// </summary>
[StatelessWorker]
public sealed class LedgerGrain(
    ITransactionClient transactions,
    Catalog catalog,
    TimeProvider time,
    LedgerMetrics metrics,
    ILogger<LedgerGrain> logger) : Grain, ILedgerGrain
{
    private const int MaxAttempts = 6;

    private readonly LicenseConsistency _consistency = new(catalog);

    private IMintLedgerGrain MintLedger => GrainFactory.GetGrain<IMintLedgerGrain>(IMintLedgerGrain.Key);

    public async Task<ActivationKeyView> MintKeyAsync(ImmutableSortedDictionary<string, int> licenses, string? orderNumber, IdempotencyToken? idempotency = null)
    {
        var code = Codes.NewActivationKey();
        await RegisterAsync(HolderKinds.Key, code);
        var key = await RunAsync("mint", idempotency, [], async () =>
        {
            var minted = await GrainFactory.GetGrain<IActivationKeyGrain>(code).MintAsync(licenses, orderNumber);
            await MintLedger.RecordMintAsync(licenses);
            return minted;
        });
        metrics.KeyMinted();
        return key;
    }

    public async Task<RedeemResult> RedeemKeyAsync(string code, string companyId, string projectId, string? comment, IdempotencyToken? idempotency = null)
    {
        var result = await RunAsync("redeem", idempotency, [], async () =>
        {
            var key = await GrainFactory.GetGrain<IActivationKeyGrain>(code).AssignAsync(companyId, projectId, comment, time.GetUtcNow());
            await Project(projectId).CreditAsync(key.Licenses);
            return new RedeemResult(code, key.Licenses, projectId);
        });
        metrics.KeyRedeemed();
        metrics.UnitsMoved("redeem", result.Licenses);
        return result;
    }

    public async Task<AddLicensesResult> AddLicensesFromBalanceAsync(AddLicensesCommand command, IdempotencyToken? idempotency = null)
    {
        var deviceGrain = GrainFactory.GetGrain<IDeviceGrain>(command.Mac);
        var device = await CompanyDeviceAsync(command.CompanyId, command.Mac);
        if (device.ProjectId is not { } homeProject)
        {
            throw new LicensingException(ErrorCodes.DeviceNotInProject, "Add the device to a project before adding licenses from a balance.");
        }

        var today = Today();
        _consistency.CheckVersion(command.Version, today, command.Licenses.Keys);

        // R-P6: the device's project first, then the named projects in the order given.
        var sources = new List<string> { homeProject };
        foreach (var projectId in command.FromProjects.Where(p => p != homeProject).Distinct())
        {
            await EnsureOwnProjectAsync(command.CompanyId, projectId, "Licenses can be drawn only from the company's own projects");
            sources.Add(projectId);
        }

        var newLots = command.Licenses
            .Select(entry => NewLot(entry.Key, entry.Value, command.Version, today))
            .ToImmutableArray();
        await RegisterAsync(HolderKinds.Device, command.Mac);

        ImmutableSortedDictionary<string, int>? shortfall = null;
        var result = await RunAsync("add-from-balance", idempotency, command.DryRun ? [] : [command.Mac], async () =>
        {
            var current = await deviceGrain.GetLotsAsync();
            _consistency.Check(device.DeviceType!, [.. current, .. newLots]);

            var remaining = command.Licenses;
            var debits = ImmutableArray.CreateBuilder<ProjectDebit>();
            foreach (var projectId in sources)
            {
                if (remaining.IsEmpty)
                {
                    break;
                }

                var project = Project(projectId);
                var taken = command.DryRun
                    ? LicenseMath.Cover(await project.GetBalanceAsync(), remaining)
                    : await project.DebitUpToAsync(remaining);
                if (!taken.IsEmpty)
                {
                    debits.Add(new ProjectDebit(projectId, taken));
                    remaining = LicenseMath.Subtract(remaining, taken);
                }
            }

            if (!remaining.IsEmpty)
            {
                shortfall = remaining;
                return null;
            }

            var after = command.DryRun ? [.. current, .. newLots] : await deviceGrain.AddLotsAsync(command.CompanyId, newLots);
            return new AddLicensesResult(command.Mac, after, debits.ToImmutable());
        }, commit: !command.DryRun);

        if (shortfall is not null)
        {
            throw await InsufficientBalanceAsync(command.CompanyId, sources, shortfall);
        }

        if (!command.DryRun)
        {
            metrics.UnitsMoved("add-from-balance", command.Licenses);
        }

        return result;
    }

    public async Task<ImmutableArray<LicenseLot>> ReturnToFreePoolAsync(string companyId, string mac, ImmutableArray<string> lotIds, IdempotencyToken? idempotency = null)
    {
        var device = await CompanyDeviceAsync(companyId, mac);
        if (device.ProjectId is not { } projectId)
        {
            throw new LicensingException(ErrorCodes.DeviceNotInProject, "Only a device in a project can return licenses to its free pool.");
        }

        var returned = await RunAsync("return-to-free-pool", idempotency, [mac], async () =>
        {
            var taken = await GrainFactory.GetGrain<IDeviceGrain>(mac).TakeLotsAsync(companyId, lotIds.IsDefaultOrEmpty ? LotSelection.Pbx : LotSelection.ByIds, lotIds.IsDefault ? [] : lotIds);
            await Project(projectId).AddToFreePoolAsync(taken);
            return taken;
        });
        metrics.UnitsMoved("return-to-free-pool", Sum(returned));
        return returned;
    }

    public async Task<ImmutableArray<LicenseLot>> AddFromFreePoolAsync(string companyId, string mac, ImmutableArray<string> lotIds, IdempotencyToken? idempotency = null)
    {
        if (lotIds.IsDefaultOrEmpty)
        {
            throw LicensingException.Validation("Name the free-pool lots to add.");
        }

        var device = await CompanyDeviceAsync(companyId, mac);
        if (device.ProjectId is not { } projectId)
        {
            throw new LicensingException(ErrorCodes.DeviceNotInProject, "Add the device to a project before adding licenses from its free pool.");
        }

        await RegisterAsync(HolderKinds.Device, mac);
        var result = await RunAsync("add-from-free-pool", idempotency, [mac], async () =>
        {
            var lots = await Project(projectId).TakeFromFreePoolAsync(lotIds);
            var deviceGrain = GrainFactory.GetGrain<IDeviceGrain>(mac);
            var current = await deviceGrain.GetLotsAsync();
            _consistency.Check(device.DeviceType!, [.. current, .. lots]);
            return await deviceGrain.AddLotsAsync(companyId, lots);
        });
        metrics.UnitsMoved("add-from-free-pool", Sum(result.Where(l => lotIds.Contains(l.LotId))));
        return result;
    }

    public async Task<ImmutableSortedDictionary<string, int>> ConvertFreePoolAsync(string companyId, string projectId, ImmutableArray<string> lotIds, IdempotencyToken? idempotency = null)
    {
        if (lotIds.IsDefaultOrEmpty)
        {
            throw LicensingException.Validation("Name the free-pool lots to convert.");
        }

        await EnsureOwnProjectAsync(companyId, projectId, "Only the company's own projects can convert free licenses");
        var credited = await RunAsync("convert-free-pool", idempotency, [], async () =>
        {
            var project = Project(projectId);
            var lots = await project.TakeFromFreePoolAsync(lotIds);

            // R-V6: one year of SSC per unit; the SSC are consumed, the lot's SSA and external key dropped.
            var cost = lots.Sum(lot => (long)lot.Units * (catalog.TryGetLicenseType(lot.Type, out var type) ? type.SscPerUnitPerYear : 0));
            if (cost > 0)
            {
                var ssc = LicenseMath.ToMap([KeyValuePair.Create(SscType, checked((int)cost))]);
                await project.DebitAsync(ssc);
                await MintLedger.RecordConsumedAsync(ssc);
            }

            var units = Sum(lots);
            await project.CreditAsync(units);
            return units;
        });
        metrics.UnitsMoved("convert-free-pool", credited);
        return credited;
    }

    public async Task<ImmutableArray<LicenseLot>> MoveLicensesAsync(string companyId, string fromMac, string toMac, IdempotencyToken? idempotency = null)
    {
        if (fromMac == toMac)
        {
            throw LicensingException.Validation("Licenses cannot be moved to the same device.");
        }

        await CompanyDeviceAsync(companyId, fromMac);
        var target = await CompanyDeviceAsync(companyId, toMac);
        await RegisterAsync(HolderKinds.Device, toMac);
        var moved = await RunAsync("move-to-device", idempotency, [fromMac, toMac], async () =>
        {
            var lots = await GrainFactory.GetGrain<IDeviceGrain>(fromMac).TakeLotsAsync(companyId, LotSelection.AllButWarranty, []);
            if (lots.IsEmpty)
            {
                throw new LicensingException(ErrorCodes.Conflict, $"{fromMac} holds no licenses to move.");
            }

            var targetGrain = GrainFactory.GetGrain<IDeviceGrain>(toMac);
            var current = await targetGrain.GetLotsAsync();
            _consistency.Check(target.DeviceType!, [.. current, .. lots]);
            await targetGrain.AddLotsAsync(companyId, lots, requireEmpty: true);
            return lots;
        });
        metrics.UnitsMoved("move-to-device", Sum(moved));
        return moved;
    }

    public async Task TransferBalanceAsync(string companyId, string fromProjectId, string toProjectId, ImmutableSortedDictionary<string, int> licenses, IdempotencyToken? idempotency = null)
    {
        if (fromProjectId == toProjectId)
        {
            throw LicensingException.Validation("Source and target project are the same.");
        }

        await EnsureOwnProjectAsync(companyId, fromProjectId, "Units can be transferred only between the company's own projects");
        await EnsureOwnProjectAsync(companyId, toProjectId, "Units can be transferred only between the company's own projects");
        await RunAsync("transfer-balance", idempotency, [], async () =>
        {
            await Project(fromProjectId).DebitAsync(licenses);
            await Project(toProjectId).CreditAsync(licenses);
            return licenses;
        });
        metrics.UnitsMoved("transfer-balance", licenses);
    }

    public async Task<ActivationKeyView> CreateOwnKeyAsync(OwnKeyDraft draft, IdempotencyToken? idempotency = null)
    {
        await EnsureOwnProjectAsync(draft.CompanyId, draft.ProjectId, "Own keys are created only from the company's own projects");
        var code = Codes.NewActivationKey();
        await RegisterAsync(HolderKinds.Key, code);
        var key = await RunAsync("own-key-create", idempotency, [], async () =>
        {
            await Project(draft.ProjectId).DebitAsync(draft.Licenses);
            return await GrainFactory.GetGrain<IActivationKeyGrain>(code).CreateOwnAsync(draft, time.GetUtcNow());
        });
        metrics.UnitsMoved("own-key-create", draft.Licenses);
        return key;
    }

    public async Task<ActivationKeyView> UpdateOwnKeyAsync(string companyId, string code, ImmutableSortedDictionary<string, int> delta, IdempotencyToken? idempotency = null)
    {
        var key = await RunAsync("own-key-update", idempotency, [], async () =>
        {
            var after = await GrainFactory.GetGrain<IActivationKeyGrain>(code).UpdateOwnAsync(companyId, delta);
            var project = Project(after.OwnerProjectId!);
            var added = LicenseMath.ToMap(delta.Where(e => e.Value > 0));
            var removed = LicenseMath.ToMap(delta.Where(e => e.Value < 0).Select(e => KeyValuePair.Create(e.Key, -e.Value)));
            if (!added.IsEmpty)
            {
                await project.DebitAsync(added);
            }

            if (!removed.IsEmpty)
            {
                await project.CreditAsync(removed);
            }

            return after;
        });
        metrics.UnitsMoved("own-key-update", LicenseMath.ToMap(delta.Select(e => KeyValuePair.Create(e.Key, Math.Abs(e.Value)))));
        return key;
    }

    public async Task<ActivationKeyView> DeleteOwnKeyAsync(string companyId, string code, IdempotencyToken? idempotency = null)
    {
        var key = await RunAsync("own-key-delete", idempotency, [], async () =>
        {
            var deleted = await GrainFactory.GetGrain<IActivationKeyGrain>(code).DeleteOwnAsync(companyId);
            await Project(deleted.OwnerProjectId!).CreditAsync(deleted.Licenses);
            return deleted;
        });
        metrics.UnitsMoved("own-key-delete", key.Licenses);
        return key;
    }

    private const string SscType = "SSC";

    private IProjectGrain Project(string projectId) => GrainFactory.GetGrain<IProjectGrain>(projectId);

    private DateOnly Today() => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    private static LicenseLot NewLot(string type, int units, string version, DateOnly bindDate) =>
        new(type, units, version, bindDate, SsaEndDate: null, ExternalKey: null, LotSources.Balance) { LotId = Guid.NewGuid().ToString("N") };

    private static ImmutableSortedDictionary<string, int> Sum(IEnumerable<LicenseLot> lots) =>
        LicenseMath.ToMap(lots.Select(l => KeyValuePair.Create(l.Type, l.Units)));

    private Task RegisterAsync(string kind, string id) =>
        GrainFactory.GetGrain<IHolderRegistryGrain>(HolderRegistryGrain.ShardOf(kind, id)).RegisterAsync(kind, id);

    private async Task<DeviceView> CompanyDeviceAsync(string companyId, string mac)
    {
        var device = await GrainFactory.GetGrain<IDeviceGrain>(mac).GetAsync();
        return device.CompanyId == companyId && device.DeviceType is not null ? device : throw LicensingException.NotFound($"The device {mac}");
    }

    private async Task EnsureOwnProjectAsync(string companyId, string projectId, string refusal)
    {
        try
        {
            await GrainFactory.GetGrain<ICompanyGrain>(companyId).EnsureOwnsProjectAsync(projectId);
        }
        catch (LicensingException e) when (e.Code == ErrorCodes.NotFound)
        {
            throw LicensingException.Forbidden($"{refusal}; '{projectId}' is not one.");
        }
    }

    /// <summary>R-P6: name the other projects of the company that hold some of what is missing.</summary>
    private async Task<LicensingException> InsufficientBalanceAsync(string companyId, List<string> sources, ImmutableSortedDictionary<string, int> shortfall)
    {
        var candidates = new List<string>();
        foreach (var project in await GrainFactory.GetGrain<ICompanyGrain>(companyId).ListProjectsAsync())
        {
            if (!sources.Contains(project.ProjectId) && !LicenseMath.Cover(await Project(project.ProjectId).GetBalanceAsync(), shortfall).IsEmpty)
            {
                candidates.Add(project.ProjectId);
            }
        }

        var missing = shortfall.Select(entry => $"{entry.Key}={entry.Value}").ToArray();
        return new LicensingException(
            ErrorCodes.InsufficientBalance,
            $"The balance is short of {string.Join(", ", missing)}.",
            ImmutableDictionary<string, string[]>.Empty.Add("shortfall", missing).Add("projects", [.. candidates]));
    }

    /// <summary>
    /// Runs <paramref name="body"/> as one transaction (body returns null, or commit is false,
    /// to abort without error), with the idempotency record, retries and post-commit refreshes
    /// described on the class.
    /// </summary>
    private async Task<T> RunAsync<T>(string kind, IdempotencyToken? idempotency, string[] devicesToRefresh, Func<Task<T?>> body, bool commit = true)
    {
        for (var attempt = 1; ; attempt++)
        {
            T? result = default;
            var replayed = false;
            try
            {
                await transactions.RunTransaction(TransactionOption.Create, async () =>
                {
                    if (idempotency is not null)
                    {
                        var idempotencyGrain = GrainFactory.GetGrain<IIdempotencyGrain>(idempotency.Scope);
                        if (await idempotencyGrain.ClaimAsync(idempotency.Fingerprint) is T prior)
                        {
                            result = prior;
                            replayed = true;
                            return true;
                        }

                        result = await body();
                        if (result is not null && commit)
                        {
                            await idempotencyGrain.CompleteAsync(idempotency.Fingerprint, result);
                        }
                    }
                    else
                    {
                        result = await body();
                    }

                    return result is not null && commit;
                });
            }
            catch (OrleansTransactionAbortedException e) when (e.InnerException is LicensingException domain)
            {
                metrics.Operation(kind, domain.Code);
                ExceptionDispatchInfo.Throw(domain);
            }
            catch (Exception e) when (TransientFailures.IsRetryableAbort(e))
            {
                metrics.TransactionAborted(kind);
                if (attempt >= MaxAttempts)
                {
                    metrics.Operation(kind, "TransientConflict");
                    throw;
                }

                metrics.TransactionRetried(kind);
                logger.LogDebug(e, "{Kind} attempt {Attempt} aborted (contention or an unreachable participant); retrying", kind, attempt);
                await Task.Delay(TransientFailures.Delay(attempt));
                continue;
            }

            metrics.Operation(kind, replayed ? "replayed" : result is null ? "aborted" : "ok");
            if (!replayed)
            {
                await RefreshDevicesAsync(devicesToRefresh);
            }

            return result!;
        }
    }

    private async Task RefreshDevicesAsync(string[] macs)
    {
        foreach (var mac in macs)
        {
            try
            {
                await GrainFactory.GetGrain<IDeviceGrain>(mac).RefreshAsync();
            }
            catch (Exception e)
            {
                // The commit stands; the device rebuilds its answer on its next poll instead.
                logger.LogWarning(e, "Could not refresh the poll answer of {Mac} after commit", mac);
            }
        }
    }
}
