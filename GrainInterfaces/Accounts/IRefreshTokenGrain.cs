namespace OrleansLicensing.Contracts;

/// <summary>
/// One refresh token, keyed by the SHA-256 (lower-case hex) of its value, so storage never holds
/// the token itself. Each token is used once: a refresh hands out a new one; presenting a used
/// one again is taken as theft and ends all of the account's tokens.
/// </summary>
public interface IRefreshTokenGrain : IGrainWithStringKey
{
    /// <summary>Records the token for <paramref name="email"/> under the account's token <paramref name="generation"/>.</summary>
    Task IssueAsync(string email, int generation, DateTimeOffset expires);

    /// <summary>
    /// Uses the token up and returns its account and current token generation, or <c>null</c>
    /// when it is unknown, expired, already used or revoked (the generation moved on).
    /// </summary>
    Task<RefreshedSession?> RedeemAsync();
}

/// <summary>The account a refresh token belonged to, and the token generation new tokens carry.</summary>
[GenerateSerializer, Immutable]
public sealed record RefreshedSession(
    [property: Id(0)] string Email,
    [property: Id(1)] int Generation);
