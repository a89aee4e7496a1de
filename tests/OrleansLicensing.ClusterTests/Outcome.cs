using System.Collections.Concurrent;
using OrleansLicensing.Contracts;

namespace OrleansLicensing.ClusterTests;

/// <summary>What an operation's caller learned: "ok", a domain error code, or why it does not know.</summary>
public static class Outcome
{
    public const string Ok = "ok";

    /// <summary>The transaction aborted (contention after retries): nothing was applied.</summary>
    public const string Aborted = "aborted";

    /// <summary>Prefix of outcomes the caller cannot know (timeout, in doubt, its silo died).</summary>
    public const string Indeterminate = "indeterminate:";

    public static async Task<string> Of<T>(Func<Task<T>> operation)
    {
        try
        {
            await operation();
            return Ok;
        }
        catch (LicensingException e)
        {
            return e.Code;
        }
        catch (Orleans.Transactions.OrleansTransactionAbortedException e) when (e.InnerException is LicensingException domain)
        {
            // A read transaction started by the callee reports the domain error wrapped.
            return domain.Code;
        }
        catch (Orleans.Transactions.OrleansTransactionAbortedException)
        {
            return Aborted;
        }
        catch (Exception e)
        {
            return Indeterminate + e.GetType().Name;
        }
    }

    /// <summary>
    /// Runs <paramref name="clients"/> loops of <paramref name="operation"/> (given the client's
    /// number) until <paramref name="stop"/> and counts their outcomes.
    /// </summary>
    public static async Task<ConcurrentDictionary<string, int>> CountWhileAsync(int clients, CancellationToken stop, Func<int, Task> operation)
    {
        var outcomes = new ConcurrentDictionary<string, int>();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(client => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var outcome = await Of(async () =>
                {
                    await operation(client);
                    return true;
                });
                outcomes.AddOrUpdate(outcome, 1, (_, n) => n + 1);
            }
        }, TestContext.Current.CancellationToken)));
        return outcomes;
    }

    /// <summary>A domain refusal or an abort: the caller knows nothing was applied.</summary>
    public static bool IsDefiniteFailure(string outcome) => outcome != Ok && !outcome.StartsWith(Indeterminate, StringComparison.Ordinal);
}
