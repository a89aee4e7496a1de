namespace OrleansLicensing.Contracts;

/// <summary>An old account, keyed by its login in lower case (R-I2).</summary>
public interface ILegacyAccountGrain : IGrainWithStringKey
{
    Task LoadAsync(LegacyAccount account);

    /// <summary>The account's group when <paramref name="password"/> matches its hash; null otherwise (also for an unknown login).</summary>
    Task<string?> VerifyAsync(string password);

    /// <summary>The account's group, null for a login the export did not hold.</summary>
    Task<string?> GetGroupAsync();
}
