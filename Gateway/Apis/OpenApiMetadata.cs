namespace OrleansLicensing.Gateway.Apis;

internal static class OpenApiMetadata
{
    /// <summary>Declares the problem+json answers a route can give, for the OpenAPI document.</summary>
    public static RouteHandlerBuilder WithProblems(this RouteHandlerBuilder builder, params int[] statuses)
    {
        foreach (var status in statuses)
        {
            builder.ProducesProblem(status);
        }

        return builder;
    }
}
