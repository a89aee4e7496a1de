using System.Collections.Immutable;

namespace OrleansLicensing.Contracts;

/// <summary>
/// The import marks (R-I2) of the old devices of one MAC block (<see cref="LegacyImportMarks.BlockOf"/>,
/// at most 256 devices), in transactional state: a batch of neighbouring MACs is marked in one or
/// two of these grains, in the same transaction that mints the devices' licenses, instead of one
/// transactional participant per device. A device marked once is never taken again.
/// </summary>
public interface ILegacyImportMarkGrain : IGrainWithStringKey
{
    /// <summary>Marks the MACs (all of this block) imported into <paramref name="projectId"/> and answers those it marked now; MACs marked before are left as they were.</summary>
    [Transaction(TransactionOption.Join)]
    Task<ImmutableArray<string>> TakeAsync(ImmutableArray<string> macs, string companyId, string projectId, DateTimeOffset at);

    /// <summary>The marks of those of the MACs that were imported.</summary>
    [Transaction(TransactionOption.CreateOrJoin)]
    Task<ImmutableSortedDictionary<string, LegacyImportMark>> GetAsync(ImmutableArray<string> macs);
}
