using System.Net;
using Microsoft.Extensions.Options;
using OrleansLicensing.Contracts;

namespace OrleansLicensing.Gateway.Infrastructure;

/// <summary>
/// Exponential back-off of sign-ins per account and per client address (the failures live in
/// <see cref="ILoginThrottleGrain"/>s, so every gateway sees them). A sign-in that must wait is
/// refused with 429 <c>RateLimited</c> and <c>Retry-After</c> before any password is checked.
/// </summary>
public sealed class LoginThrottle(IGrainFactory grains, IOptions<CredentialSettings> options)
{
    public async Task<Attempt> BeginAsync(string email, IPAddress? address)
    {
        var settings = options.Value;
        var account = new Limit(grains.GetGrain<ILoginThrottleGrain>("account:" + email),
            new LoginBackoff(settings.LoginFreeFailuresPerAccount, TimeSpan.FromSeconds(settings.LoginBaseDelaySeconds), TimeSpan.FromSeconds(settings.LoginMaxDelaySeconds)));
        var client = new Limit(grains.GetGrain<ILoginThrottleGrain>("address:" + (address?.ToString() ?? "unknown")),
            new LoginBackoff(settings.LoginFreeFailuresPerAddress, TimeSpan.FromSeconds(settings.LoginBaseDelaySeconds), TimeSpan.FromSeconds(settings.LoginMaxDelaySeconds)));
        var waits = await Task.WhenAll(account.Grain.RetryAfterAsync(account.Policy), client.Grain.RetryAfterAsync(client.Policy));
        var wait = waits.Max();
        if (wait > TimeSpan.Zero)
        {
            throw Problems.RetryLater(wait, "Too many failed sign-ins; retry later.");
        }

        return new Attempt(account, client);
    }

    internal sealed record Limit(ILoginThrottleGrain Grain, LoginBackoff Policy);

    public sealed class Attempt
    {
        private readonly Limit _account;
        private readonly Limit _client;

        internal Attempt(Limit account, Limit client)
        {
            _account = account;
            _client = client;
        }

        public Task FailedAsync() => Task.WhenAll(_account.Grain.FailAsync(_account.Policy), _client.Grain.FailAsync(_client.Policy));

        /// <summary>Clears the account's failures; the address keeps its own, so one good account does not reset guessing at others.</summary>
        public Task SucceededAsync() => _account.Grain.ResetAsync();
    }
}
