namespace OrleansLicensing.Grains.Joins;

/// <summary>Batch size of company and project joins (R-U3, R-P4).</summary>
public sealed class JoinOptions
{
    /// <summary>Devices or activation keys re-pointed per batch, that is per ledger transaction.</summary>
    public int ItemsPerBatch { get; set; } = 100;

    /// <summary>The batches of a work list of <paramref name="items"/> items.</summary>
    public int BatchesFor(int items) => (items + ItemsPerBatch - 1) / ItemsPerBatch;

    /// <summary>Batch <paramref name="index"/> (0-based) of a work list.</summary>
    public System.Collections.Immutable.ImmutableArray<string> Slice(System.Collections.Immutable.ImmutableArray<string> items, long index) =>
        [.. items.Skip(checked((int)index * ItemsPerBatch)).Take(ItemsPerBatch)];
}
