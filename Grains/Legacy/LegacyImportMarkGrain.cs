using System.Collections.Immutable;
using Orleans.Transactions.Abstractions;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.State;

namespace OrleansLicensing.Grains.Grains;

/// <summary>The import marks of one MAC block (<see cref="ILegacyImportMarkGrain"/>).</summary>
public sealed class LegacyImportMarkGrain(
    [TransactionalState("legacyImportMarks", StorageNames.Licensing)] ITransactionalState<LegacyImportMarksState> marks) : Grain, ILegacyImportMarkGrain
{
    public Task<ImmutableArray<string>> TakeAsync(ImmutableArray<string> macs, string companyId, string projectId, DateTimeOffset at)
    {
        var block = this.GetPrimaryKeyString();
        if (macs.Any(mac => LegacyImportMarks.BlockOf(mac) != block))
        {
            throw new ArgumentException($"Every MAC must be of block {block}.", nameof(macs));
        }

        var mark = new LegacyImportMark(companyId, projectId, at);
        return marks.PerformUpdate(state =>
        {
            var free = macs.Distinct(StringComparer.Ordinal).Where(mac => !state.Marks.ContainsKey(mac)).ToImmutableArray();
            state.Marks = state.Marks.SetItems(free.Select(mac => KeyValuePair.Create(mac, mark)));
            return free;
        });
    }

    public Task<ImmutableSortedDictionary<string, LegacyImportMark>> GetAsync(ImmutableArray<string> macs) =>
        marks.PerformRead(state => macs
            .Where(state.Marks.ContainsKey)
            .Distinct(StringComparer.Ordinal)
            .ToImmutableSortedDictionary(mac => mac, mac => state.Marks[mac], StringComparer.Ordinal));
}
