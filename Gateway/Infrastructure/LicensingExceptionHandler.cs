using Microsoft.AspNetCore.Diagnostics;
using Orleans.Transactions;
using OrleansLicensing.Contracts;

namespace OrleansLicensing.Gateway.Infrastructure;

/// <summary>
/// Turns every exception that reaches the edge into problem+json: domain errors by their code,
/// malformed requests as 4xx, contention as 503 with Retry-After. Only a bug gives a 500.
/// </summary>
public sealed class LicensingExceptionHandler(ILogger<LicensingExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        switch (Unwrap(exception))
        {
            case LicensingException domain when Problems.TryGetStatus(domain.Code, out var status):
                if (domain.Extensions.TryGetValue(Problems.RetryAfterExtension, out var retryAfter) && retryAfter is [var seconds])
                {
                    context.Response.Headers.RetryAfter = seconds;
                }

                await Problems.WriteAsync(context, status, domain.Code, domain.Message, domain.Extensions);
                return true;

            case LicensingException unmapped:
                // Impossible while ErrorTableTests pass: a code without a status is a bug, not a client error.
                logger.LogError(unmapped, "Error code {Code} has no HTTP status in Problems.StatusByCode", unmapped.Code);
                await Problems.WriteAsync(context, ErrorCodes.InternalError, "An unexpected error occurred.");
                return true;

            case BadHttpRequestException bad:
                var (code, detail, errors) = RequestErrors.Describe(context, bad);
                await Problems.WriteAsync(context, code, detail, errors);
                return true;

            case InvalidOperationException invalid when RequestErrors.Describe(context, invalid) is { } charset:
                await Problems.WriteAsync(context, charset.Code, charset.Detail);
                return true;

            case OrleansTransactionTransientFailureException or OrleansTransactionOverloadException or OrleansTransactionInDoubtException or OrleansTransactionAbortedException:
                logger.LogWarning(exception, "Transaction did not commit after retries");
                context.Response.Headers.RetryAfter = "1";
                await Problems.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, ErrorCodes.TransientConflict, "The operation conflicted with concurrent changes and was not applied; retry it.");
                return true;

            case TimeoutException or OrleansMessageRejectionException or SiloUnavailableException:
            case OperationCanceledException when !context.RequestAborted.IsCancellationRequested:
                // A timeout, or a call routed to a silo that just died (until the cluster declares it
                // dead and its grains move, seconds), or a call Orleans cancelled because its message
                // expired before the target could be placed (seen while a silo of a rolling restart
                // left; the client had not cancelled): a server-side condition, never a client error;
                // the client retries (unit moves with the same Idempotency-Key).
                logger.LogWarning(exception, "A grain call timed out or its silo was unreachable");
                context.Response.Headers.RetryAfter = "1";
                await Problems.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, ErrorCodes.StorageUnavailable, "The service did not answer in time; retry the request.");
                return true;

            case OrleansException runtime:
                // Any other failure of the Orleans runtime (a silo shutting down under the call, a
                // directory or activation in transition): the cluster's condition, not the request's.
                // Answered as the 503 a client already retries (a unit move with the same
                // Idempotency-Key, D56); logged as an error so it stays visible to operators.
                logger.LogError(runtime, "Orleans runtime failure on {Method} {Path}", context.Request.Method, context.Request.Path);
                context.Response.Headers.RetryAfter = "1";
                await Problems.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, ErrorCodes.StorageUnavailable, "The service could not complete the request; retry it.");
                return true;

            default:
                logger.LogError(exception, "Unhandled error on {Method} {Path}", context.Request.Method, context.Request.Path);
                await Problems.WriteAsync(context, StatusCodes.Status500InternalServerError, ErrorCodes.InternalError, "An unexpected error occurred.");
                return true;
        }
    }

    private static Exception Unwrap(Exception exception) => exception switch
    {
        OrleansTransactionAbortedException { InnerException: LicensingException inner } => inner,

        // The runtime wraps a storage provider's failure ("Error from storage provider …"); the
        // silo's storage turns a database outage into StorageUnavailable inside it.
        OrleansException { InnerException: LicensingException storage } => storage,
        AggregateException { InnerExceptions.Count: 1 } aggregate => Unwrap(aggregate.InnerExceptions[0]),
        _ => exception,
    };
}
