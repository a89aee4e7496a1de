namespace OrleansLicensing.Contracts;

/// <summary>Names of the licensing meters and activity sources, shared by silos and gateways.</summary>
public static class TelemetryNames
{
    /// <summary>The licensing meter (ledger, polls, audit): instruments <c>licensing.*</c>.</summary>
    public const string Meter = "OrleansLicensing";

    /// <summary>Grain-storage instruments of the silos.</summary>
    public const string StorageMeter = Meter + ".Storage";

    /// <summary>Spans around grain-storage calls.</summary>
    public const string StorageActivitySource = "OrleansLicensing.Storage";
}
