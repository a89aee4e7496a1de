using Orleans.Transactions;
using OrleansLicensing.Contracts;

namespace OrleansLicensing.Gateway.Infrastructure;

/// <summary>
/// A read that runs as a read transaction of its own (a project's or a company's balance) waits
/// for the locks of unit moves, and after a silo or database outage for transactions still being
/// resolved; Orleans may then abort it as contention. A read changes nothing, so the gateway tries
/// it again with back-off (about 6 s in all) before it answers 503 <c>TransientConflict</c>.
/// </summary>
public static class TransactionalReads
{
    public const int Attempts = 7;

    public static async Task<T> RunAsync<T>(Func<Task<T>> read)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await read();
            }
            catch (Exception e) when (attempt < Attempts && IsContention(e))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50 << attempt));
            }
        }
    }

    private static bool IsContention(Exception e) => e switch
    {
        OrleansTransactionAbortedException { InnerException: LicensingException refusal } => refusal.Code == ErrorCodes.TransientConflict,
        OrleansTransactionTransientFailureException or OrleansTransactionOverloadException or OrleansTransactionAbortedException or OrleansTransactionInDoubtException => true,
        _ => false,
    };
}
