namespace OrleansLicensing.Grains;

/// <summary>
/// The one grain storage every grain uses. AdoNet keys a row by state name and grain key (not
/// grain type), so every grain class names its states uniquely below.
/// </summary>
public static class StorageNames
{
    public const string Licensing = "licensing";
}
