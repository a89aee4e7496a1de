using OrleansLicensing.Contracts;

namespace OrleansLicensing.Grains.Grains;

/// <summary>Failed sign-ins of one account or address, in memory (see <see cref="ILoginThrottleGrain"/>).</summary>
public sealed class LoginThrottleGrain(TimeProvider time) : Grain, ILoginThrottleGrain
{
    private int _failures;
    private DateTimeOffset _lastFailure;

    public Task<TimeSpan> RetryAfterAsync(LoginBackoff policy)
    {
        var wait = _lastFailure + policy.DelayAfter(_failures) - time.GetUtcNow();
        return Task.FromResult(wait > TimeSpan.Zero ? wait : TimeSpan.Zero);
    }

    public Task<TimeSpan> FailAsync(LoginBackoff policy)
    {
        _failures++;
        _lastFailure = time.GetUtcNow();
        return Task.FromResult(policy.DelayAfter(_failures));
    }

    public Task ResetAsync()
    {
        _failures = 0;
        DeactivateOnIdle();
        return Task.CompletedTask;
    }
}
