using Orleans.Runtime;
using Orleans.Transactions;
using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Grains;

namespace OrleansLicensing.UnitTests;

public sealed class TransientFailuresTests
{
    [Fact]
    public async Task A_read_that_meets_contention_or_a_timeout_is_tried_again()
    {
        var calls = 0;
        var value = await TransientFailures.ReadAsync(() => ++calls switch
        {
            1 => throw new OrleansCascadingAbortException("tx", "dependent"),
            2 => throw new TimeoutException(),
            3 => throw new OrleansTransactionOverloadException(),
            _ => Task.FromResult(42),
        });

        Assert.Equal(42, value);
        Assert.Equal(4, calls);
    }

    [Fact]
    public async Task A_read_gives_up_after_its_attempts()
    {
        var calls = 0;
        await Assert.ThrowsAsync<OrleansBrokenTransactionLockException>(() =>
            TransientFailures.ReadAsync<int>(() => { calls++; throw new OrleansBrokenTransactionLockException("tx", "lock broken"); }, maxAttempts: 3));
        Assert.Equal(3, calls);
    }

    [Fact]
    public async Task Domain_errors_and_definite_aborts_are_not_retried()
    {
        var calls = 0;
        await Assert.ThrowsAsync<LicensingException>(() =>
            TransientFailures.ReadAsync<int>(() => { calls++; throw new LicensingException(ErrorCodes.NotFound, "gone"); }));
        await Assert.ThrowsAsync<OrleansOrphanCallException>(() =>
            TransientFailures.ReadAsync<int>(() => { calls++; throw new OrleansOrphanCallException("tx", 1); }));
        Assert.Equal(2, calls);
    }

    [Fact]
    public void A_unit_move_retries_contention_stale_reads_and_aborts_caused_by_an_unreachable_participant_only()
    {
        Assert.True(TransientFailures.IsRetryableAbort(new OrleansCascadingAbortException("tx", "dependent")));
        Assert.True(TransientFailures.IsRetryableAbort(new OrleansTransactionOverloadException()));
        Assert.True(TransientFailures.IsRetryableAbort(new OrleansTransactionAbortedException("tx", new SiloUnavailableException())));
        Assert.True(TransientFailures.IsRetryableAbort(new OrleansTransactionAbortedException("tx", new TimeoutException())));

        // A participant found that a read made before its lock had gone stale: nothing applied, look again.
        Assert.True(TransientFailures.IsRetryableAbort(new OrleansTransactionAbortedException("tx", new LicensingException(ErrorCodes.TransientConflict, "moved"))));

        // A domain refusal, an in-doubt outcome or a plain timeout of the whole call is not an abort to retry.
        Assert.False(TransientFailures.IsRetryableAbort(new OrleansTransactionAbortedException("tx", new LicensingException(ErrorCodes.InsufficientBalance, "short"))));
        Assert.False(TransientFailures.IsRetryableAbort(new OrleansTransactionInDoubtException("tx")));
        Assert.False(TransientFailures.IsRetryableAbort(new TimeoutException()));
        Assert.False(TransientFailures.IsRetryableAbort(new OrleansOrphanCallException("tx", 1)));
    }

    [Theory]
    [InlineData(1, 10, 30)]
    [InlineData(4, 80, 240)]
    [InlineData(20, 1280, 3840)]
    public void Back_off_grows_and_is_capped(int attempt, int minMs, int maxMs)
    {
        for (var i = 0; i < 50; i++)
        {
            var delay = TransientFailures.Delay(attempt).TotalMilliseconds;
            Assert.InRange(delay, minMs, maxMs);
        }
    }
}
