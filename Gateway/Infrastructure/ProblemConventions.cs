using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing.Patterns;
using OrleansLicensing.Contracts;

namespace OrleansLicensing.Gateway.Infrastructure;

/// <summary>Error codes an endpoint can answer beyond those its shape implies.</summary>
public sealed record ErrorCodesMetadata(IReadOnlyList<string> Codes);

/// <summary>Every error code an endpoint can answer, by HTTP status; derived once per endpoint.</summary>
public sealed record ProblemCodesMetadata(IReadOnlyDictionary<int, IReadOnlyList<string>> CodesByStatus);

/// <summary>
/// The problem+json answers of an endpoint follow from what it is, not from a list typed next to
/// it: authorization (401, and 403/404 in the company group), a JSON body (400, 413, 415), route
/// parameters (404), rate limits (429), idempotency (409), grain calls (503), plus the domain codes
/// the route declares with <see cref="ProducesErrors{TBuilder}"/>. Statuses come from the one
/// error table (<see cref="Problems"/>).
/// </summary>
public static class ProblemConventions
{
    /// <summary>Declares domain error codes a route can answer (e.g. InsufficientBalance).</summary>
    public static TBuilder ProducesErrors<TBuilder>(this TBuilder builder, params string[] codes)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ErrorCodesMetadata(codes));

    /// <summary>Derives and documents every endpoint's problem answers (applied to the API's root group).</summary>
    public static TBuilder WithProblemResponses<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.Finally(endpoint =>
        {
            var codes = CodesOf(endpoint);
            var byStatus = codes
                .GroupBy(Problems.StatusFor)
                .OrderBy(g => g.Key)
                .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)[.. g.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)]);
            endpoint.Metadata.Add(new ProblemCodesMetadata(byStatus));
            var declared = endpoint.Metadata.OfType<IProducesResponseTypeMetadata>().Select(m => m.StatusCode).ToHashSet();
            foreach (var status in byStatus.Keys.Where(s => !declared.Contains(s)))
            {
                endpoint.Metadata.Add(new ProducesResponseTypeMetadata(status, typeof(Microsoft.AspNetCore.Mvc.ProblemDetails), ["application/problem+json"]));
            }
        });
        return builder;
    }

    private static IEnumerable<string> CodesOf(EndpointBuilder endpoint)
    {
        var metadata = endpoint.Metadata;
        foreach (var declared in metadata.OfType<ErrorCodesMetadata>())
        {
            foreach (var code in declared.Codes)
            {
                yield return code;
            }
        }

        if (metadata.OfType<IAuthorizeData>().Any())
        {
            yield return ErrorCodes.Unauthorized;
            yield return ErrorCodes.Forbidden;
        }

        if (metadata.Contains(CompanyScopeMetadata.Instance))
        {
            yield return ErrorCodes.UserLocked;
            yield return ErrorCodes.NotFound;
        }

        if (endpoint is RouteEndpointBuilder { RoutePattern.Parameters.Count: > 0 })
        {
            yield return ErrorCodes.NotFound;
        }

        if (metadata.OfType<IAcceptsMetadata>().Any())
        {
            yield return ErrorCodes.ValidationFailed;
            yield return ErrorCodes.UnsafeText;
            yield return ErrorCodes.PayloadTooLarge;
            yield return ErrorCodes.UnsupportedMediaType;
        }

        if (metadata.OfType<EnableRateLimitingAttribute>().Any())
        {
            yield return ErrorCodes.RateLimited;
        }

        // Every API route calls a grain, which can time out or find storage unavailable.
        yield return ErrorCodes.StorageUnavailable;
    }
}
