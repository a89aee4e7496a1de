namespace OrleansLicensing.Gateway.Infrastructure;

/// <summary>
/// Response headers that keep browsers from misusing API answers: no MIME sniffing, no framing,
/// no referrer, nothing cached for credential answers, and for the API a content security policy
/// that allows nothing (the API reference UI under /scalar loads its own scripts). Added when the
/// response starts, so error answers written after the exception handler cleared the response
/// carry them too. The device poll is served before this (devices are not browsers).
/// </summary>
public static class SecurityHeaders
{
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        context.Response.OnStarting(static state =>
        {
            var http = (HttpContext)state;
            var headers = http.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            if (http.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase))
            {
                headers.ContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'";
            }

            if (http.Request.Path.StartsWithSegments("/api/v1/auth", StringComparison.OrdinalIgnoreCase)
                || http.Request.Path.StartsWithSegments("/api/v1/accounts", StringComparison.OrdinalIgnoreCase))
            {
                headers.CacheControl = "no-store";
            }

            if (http.Request.IsHttps)
            {
                headers.StrictTransportSecurity = "max-age=31536000";
            }

            return Task.CompletedTask;
        }, context);
        return next(context);
    });
}
