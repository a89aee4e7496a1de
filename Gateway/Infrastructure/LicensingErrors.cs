namespace OrleansLicensing.Gateway.Infrastructure;

/// <summary>The error handling of the edge that is not in the exception handler, in one hook.</summary>
public static class LicensingErrors
{
    /// <summary>
    /// Answers Kestrel's pre-routing refusals with problem+json (<see cref="RejectedRequestAnswers"/>)
    /// and gives the problems the framework writes for a bare status (404 from routing, 405, a
    /// body Kestrel refused while it was bound) a detail in the API's terms.
    /// </summary>
    public static WebApplicationBuilder AddLicensingErrors(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<RejectedRequestAnswers>();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureEndpointDefaults(listen =>
            listen.Use(next => listen.ApplicationServices.GetRequiredService<RejectedRequestAnswers>().Wrap(next))));
        builder.Services.PostConfigure<ProblemDetailsOptions>(options =>
        {
            var customize = options.CustomizeProblemDetails;
            options.CustomizeProblemDetails = context =>
            {
                customize?.Invoke(context);
                context.ProblemDetails.Detail ??= DefaultDetail(context.ProblemDetails.Status ?? context.HttpContext.Response.StatusCode);
            };
        });
        return builder;
    }

    private static string? DefaultDetail(int status) => status switch
    {
        StatusCodes.Status400BadRequest => "The request could not be read: its body is malformed or incomplete.",
        StatusCodes.Status401Unauthorized => "A valid bearer token is required.",
        StatusCodes.Status403Forbidden => "The caller may not use this operation.",
        StatusCodes.Status404NotFound => "Nothing is at this path.",
        StatusCodes.Status405MethodNotAllowed => "This path does not support the method; the Allow header lists those it does.",
        StatusCodes.Status413PayloadTooLarge => "The request body is too large.",
        StatusCodes.Status415UnsupportedMediaType => "Send the request body as application/json.",
        _ => null,
    };
}
