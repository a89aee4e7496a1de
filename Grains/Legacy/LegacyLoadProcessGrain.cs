using System.Collections.Concurrent;
using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Legacy;
using OrleansLicensing.Grains.Processes;
using OrleansLicensing.Grains.State;

namespace OrleansLicensing.Grains.Grains;

/// <summary>
/// Loads a legacy export (R-I1) as a durable process (<see cref="DurableProcessGrain{TPlan}"/>), keyed
/// by the export id, once all its parts are stored. Batches 0 … n − 1 load the accounts and groups of
/// part 0 … n − 1; batches n … 2n − 1 load the devices of each part, with the groups of their
/// licenses' users, and add them to those groups' device lists. Every write sets a value, so a
/// batch re-run after a crash writes the same again. Nothing is minted: units come into being only
/// when a company imports them (ImportLegacyBalanceMove, ImportLegacyDevicesMove).
/// </summary>
public sealed class LegacyLoadProcessGrain(
    [PersistentState("legacyLoadProcess", StorageNames.Licensing)] IPersistentState<DurableProcessState<LegacyLoadPlan>> process,
    IOptions<DurableProcessOptions> options,
    IOptions<LegacyImportOptions> legacy,
    TimeProvider time,
    ILogger<LegacyLoadProcessGrain> logger) : DurableProcessGrain<LegacyLoadPlan>(process, options, time, logger), ILegacyLoadProcessGrain
{
    // Logins resolved to groups during this activation; a new activation asks the account grains again.
    private readonly ConcurrentDictionary<string, string?> _groupOfLogin = new(StringComparer.Ordinal);

    public Task<ProcessStatus> StartAsync(LegacyLoadPlan plan) => BeginAsync(plan);

    protected override async Task<BatchOutcome> RunBatchAsync(LegacyLoadPlan plan, long batch, IdempotencyToken idempotency)
    {
        var partNumber = (int)(batch % plan.Parts);
        var part = await GrainFactory.GetGrain<ILegacyExportPartGrain>($"{plan.ExportId}/{partNumber}").GetAsync()
            ?? throw new InvalidOperationException($"Part {partNumber} of export {plan.ExportId} is not stored.");
        if (batch < plan.Parts)
        {
            await LoadAccountsAsync(part);
            return new BatchOutcome(part.Accounts.Length + part.Groups.Length, IsLast: false);
        }

        await LoadDevicesAsync(part);
        return new BatchOutcome(part.Devices.Length, IsLast: batch == (2L * plan.Parts) - 1);
    }

    private async Task LoadAccountsAsync(LegacyExportPart part)
    {
        await ForEachAsync(part.Groups, group => GrainFactory.GetGrain<ILegacyGroupGrain>(group.GroupId).LoadAsync(group));
        await ForEachAsync(part.Accounts, async account =>
        {
            var login = account.Login.ToLowerInvariant();
            await GrainFactory.GetGrain<ILegacyAccountGrain>(login).LoadAsync(account with { Login = login });
            await GrainFactory.GetGrain<ILegacyGroupGrain>(account.GroupId).AddLoginAsync(login);
        });
    }

    private async Task LoadDevicesAsync(LegacyExportPart part)
    {
        var users = part.Devices.SelectMany(d => d.Licenses).Select(l => l.User.ToLowerInvariant()).Distinct(StringComparer.Ordinal).Where(u => !_groupOfLogin.ContainsKey(u)).ToArray();
        await ForEachAsync(users, async user => _groupOfLogin[user] = await GrainFactory.GetGrain<ILegacyAccountGrain>(user).GetGroupAsync());

        var byGroup = new ConcurrentDictionary<string, ConcurrentBag<string>>(StringComparer.Ordinal);
        await ForEachAsync(part.Devices, async device =>
        {
            ImmutableArray<string> groups = [.. device.Licenses
                .Select(l => _groupOfLogin.GetValueOrDefault(l.User.ToLowerInvariant()))
                .OfType<string>()
                .Distinct(StringComparer.Ordinal)
                .Order(StringComparer.Ordinal)];
            await GrainFactory.GetGrain<ILegacyDeviceGrain>(device.Mac).LoadAsync(device, groups);
            foreach (var group in groups)
            {
                byGroup.GetOrAdd(group, _ => []).Add(device.Mac);
            }
        });

        await ForEachAsync(byGroup, entry => GrainFactory.GetGrain<ILegacyGroupGrain>(entry.Key).AddDevicesAsync([.. entry.Value]));
    }

    private Task ForEachAsync<T>(IEnumerable<T> items, Func<T, Task> body) => LegacyBatches.ForEachAsync(items, legacy.Value.Parallelism, body);
}
