using System.Collections.Frozen;
using OrleansLicensing.Contracts;

namespace OrleansLicensing.Gateway.Infrastructure;

/// <summary>The one mapping from error codes to HTTP statuses (SPEC §4).</summary>
public static class Problems
{
    private static readonly FrozenDictionary<string, int> StatusByCode = new Dictionary<string, int>
    {
        [ErrorCodes.ValidationFailed] = StatusCodes.Status400BadRequest,
        [ErrorCodes.InvalidMac] = StatusCodes.Status400BadRequest,
        [ErrorCodes.InvalidEmail] = StatusCodes.Status400BadRequest,
        [ErrorCodes.TooManyDevices] = StatusCodes.Status400BadRequest,
        [ErrorCodes.UnknownLicenseType] = StatusCodes.Status400BadRequest,
        [ErrorCodes.UnknownDeviceType] = StatusCodes.Status400BadRequest,
        [ErrorCodes.InvalidUnits] = StatusCodes.Status400BadRequest,
        [ErrorCodes.InvalidDate] = StatusCodes.Status400BadRequest,
        [ErrorCodes.SsaEndInPast] = StatusCodes.Status400BadRequest,
        [ErrorCodes.Unauthorized] = StatusCodes.Status401Unauthorized,
        [ErrorCodes.Forbidden] = StatusCodes.Status403Forbidden,
        [ErrorCodes.UserLocked] = StatusCodes.Status403Forbidden,
        [ErrorCodes.NotFound] = StatusCodes.Status404NotFound,
        [ErrorCodes.UserNotFound] = StatusCodes.Status404NotFound,
        [ErrorCodes.MethodNotAllowed] = StatusCodes.Status405MethodNotAllowed,
        [ErrorCodes.Conflict] = StatusCodes.Status409Conflict,
        [ErrorCodes.AccountExists] = StatusCodes.Status409Conflict,
        [ErrorCodes.LastAdmin] = StatusCodes.Status409Conflict,
        [ErrorCodes.DuplicateProjectName] = StatusCodes.Status409Conflict,
        [ErrorCodes.ProjectNotEmpty] = StatusCodes.Status409Conflict,
        [ErrorCodes.KeyAlreadyAssigned] = StatusCodes.Status409Conflict,
        [ErrorCodes.HardwareAlreadyRegistered] = StatusCodes.Status409Conflict,
        [ErrorCodes.InsufficientBalance] = StatusCodes.Status409Conflict,
        [ErrorCodes.TargetHasLicenses] = StatusCodes.Status409Conflict,
        [ErrorCodes.DeviceNotInProject] = StatusCodes.Status409Conflict,
        [ErrorCodes.AlreadyInCompany] = StatusCodes.Status409Conflict,
        [ErrorCodes.DeviceInOtherCompany] = StatusCodes.Status409Conflict,
        [ErrorCodes.IdempotencyKeyReused] = StatusCodes.Status409Conflict,
        [ErrorCodes.PayloadTooLarge] = StatusCodes.Status413PayloadTooLarge,
        [ErrorCodes.UnsupportedMediaType] = StatusCodes.Status415UnsupportedMediaType,
        [ErrorCodes.ConsistencyViolation] = StatusCodes.Status422UnprocessableEntity,
        [ErrorCodes.VersionNotOffered] = StatusCodes.Status422UnprocessableEntity,
        [ErrorCodes.RateLimited] = StatusCodes.Status429TooManyRequests,
        [ErrorCodes.InternalError] = StatusCodes.Status500InternalServerError,
        [ErrorCodes.StorageUnavailable] = StatusCodes.Status503ServiceUnavailable,
        [ErrorCodes.TransientConflict] = StatusCodes.Status503ServiceUnavailable,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public static int StatusFor(string code) => StatusByCode.GetValueOrDefault(code, StatusCodes.Status400BadRequest);

    /// <summary>The code for a response that has a status but no code yet (404 from routing, 401 from auth...).</summary>
    public static string CodeFor(int status) => status switch
    {
        StatusCodes.Status400BadRequest => ErrorCodes.ValidationFailed,
        StatusCodes.Status401Unauthorized => ErrorCodes.Unauthorized,
        StatusCodes.Status403Forbidden => ErrorCodes.Forbidden,
        StatusCodes.Status404NotFound => ErrorCodes.NotFound,
        StatusCodes.Status405MethodNotAllowed => ErrorCodes.MethodNotAllowed,
        StatusCodes.Status409Conflict => ErrorCodes.Conflict,
        StatusCodes.Status413PayloadTooLarge => ErrorCodes.PayloadTooLarge,
        StatusCodes.Status415UnsupportedMediaType => ErrorCodes.UnsupportedMediaType,
        StatusCodes.Status429TooManyRequests => ErrorCodes.RateLimited,
        StatusCodes.Status503ServiceUnavailable => ErrorCodes.StorageUnavailable,
        >= 500 => ErrorCodes.InternalError,
        _ => ErrorCodes.ValidationFailed,
    };

    /// <summary>Writes a problem+json response with a code through the registered problem-details service.</summary>
    public static ValueTask WriteAsync(HttpContext context, int status, string code, string detail, IReadOnlyDictionary<string, string[]>? extensions = null)
    {
        context.Response.StatusCode = status;
        var problem = new Microsoft.AspNetCore.Mvc.ProblemDetails { Status = status, Detail = detail };
        problem.Extensions["code"] = code;
        if (extensions is not null)
        {
            foreach (var (key, value) in extensions)
            {
                problem.Extensions[key] = value;
            }
        }

        var service = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        return service.WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem });
    }
}
