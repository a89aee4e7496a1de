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
/// The one place that moves license units (R-C1). Each operation is one Orleans transaction
/// over the grains it touches; a domain error anywhere aborts it whole. Contention aborts are
/// retried here with jittered back-off before the caller sees <c>TransientConflict</c>.
/// </summary>
[StatelessWorker]
public sealed class LedgerGrain(
    ITransactionClient transactions,
    Catalog catalog,
    TimeProvider time,
    ILogger<LedgerGrain> logger) : Grain, ILedgerGrain
{
    private const int MaxAttempts = 4;
    private const string BalanceSource = "Balance";

    private readonly LicenseConsistency _consistency = new(catalog);

    public async Task<RedeemResult> RedeemKeyAsync(string code, string companyId, string projectId, string? comment)
    {
        RedeemResult? result = null;
        await RunAsync(async () =>
        {
            var key = await GrainFactory.GetGrain<IActivationKeyGrain>(code).AssignAsync(companyId, projectId, comment, time.GetUtcNow());
            await GrainFactory.GetGrain<IProjectGrain>(projectId).CreditAsync(key.Licenses);
            result = new RedeemResult(code, key.Licenses, projectId);
            return true;
        });
        return result!;
    }

    public async Task<AddLicensesResult> AddLicensesFromBalanceAsync(AddLicensesCommand command)
    {
        var deviceGrain = GrainFactory.GetGrain<IDeviceGrain>(command.Mac);
        var device = await deviceGrain.GetAsync();
        if (device.CompanyId != command.CompanyId || device.DeviceType is null)
        {
            throw LicensingException.NotFound("The device");
        }

        if (device.ProjectId is not { } homeProject)
        {
            throw new LicensingException(ErrorCodes.DeviceNotInProject, "Add the device to a project before adding licenses from a balance.");
        }

        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        _consistency.CheckVersion(command.Version, today, command.Licenses.Keys);

        // R-P6: the device's project first, then the named projects in the order given.
        var sources = new List<string> { homeProject };
        var company = GrainFactory.GetGrain<ICompanyGrain>(command.CompanyId);
        foreach (var projectId in command.FromProjects)
        {
            if (sources.Contains(projectId))
            {
                continue;
            }

            try
            {
                await company.EnsureOwnsProjectAsync(projectId);
            }
            catch (LicensingException e) when (e.Code == ErrorCodes.NotFound)
            {
                throw LicensingException.Forbidden($"Licenses can be drawn only from the company's own projects; '{projectId}' is not one.");
            }

            sources.Add(projectId);
        }

        var newLots = command.Licenses
            .Select(entry => new LicenseLot(entry.Key, entry.Value, command.Version, today, SsaEndDate: null, ExternalKey: null, BalanceSource))
            .ToImmutableArray();

        AddLicensesResult? result = null;
        ImmutableSortedDictionary<string, int>? shortfall = null;
        await RunAsync(async () =>
        {
            var current = await deviceGrain.GetLotsAsync();
            _consistency.Check(device.DeviceType, [.. current, .. newLots]);

            var remaining = command.Licenses;
            var debits = ImmutableArray.CreateBuilder<ProjectDebit>();
            foreach (var projectId in sources)
            {
                if (remaining.IsEmpty)
                {
                    break;
                }

                var project = GrainFactory.GetGrain<IProjectGrain>(projectId);
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
                return false;
            }

            var after = command.DryRun ? [.. current, .. newLots] : await deviceGrain.AddLotsAsync(command.CompanyId, newLots);
            result = new AddLicensesResult(command.Mac, after, debits.ToImmutable());
            return !command.DryRun;
        });

        if (shortfall is not null)
        {
            throw await InsufficientBalanceAsync(company, sources, shortfall);
        }

        if (!command.DryRun)
        {
            await deviceGrain.RefreshAsync();
        }

        return result!;
    }

    /// <summary>R-P6: name the other projects of the company that hold some of what is missing.</summary>
    private async Task<LicensingException> InsufficientBalanceAsync(ICompanyGrain company, List<string> sources, ImmutableSortedDictionary<string, int> shortfall)
    {
        var candidates = new List<string>();
        foreach (var project in await company.ListProjectsAsync())
        {
            if (sources.Contains(project.ProjectId))
            {
                continue;
            }

            var balance = await GrainFactory.GetGrain<IProjectGrain>(project.ProjectId).GetBalanceAsync();
            if (!LicenseMath.Cover(balance, shortfall).IsEmpty)
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
    /// Runs <paramref name="body"/> as one transaction; it returns false to abort without error.
    /// Domain errors surface as themselves; contention aborts are retried.
    /// </summary>
    private async Task RunAsync(Func<Task<bool>> body)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await transactions.RunTransaction(TransactionOption.Create, body);
                return;
            }
            catch (OrleansTransactionAbortedException e) when (e.InnerException is LicensingException domain)
            {
                ExceptionDispatchInfo.Throw(domain);
            }
            catch (Exception e) when (attempt < MaxAttempts && e is OrleansTransactionTransientFailureException or OrleansTransactionOverloadException)
            {
                logger.LogDebug(e, "Transaction attempt {Attempt} aborted by contention; retrying", attempt);
                var backoff = TimeSpan.FromMilliseconds((10 << attempt) + Random.Shared.Next(0, 20 << attempt));
                await Task.Delay(backoff);
            }
        }
    }
}
