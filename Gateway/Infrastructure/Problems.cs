using System.Collections.Frozen;
using OrleansLicensing.Contracts;

namespace OrleansLicensing.Gateway.Infrastructure;

/// <summary>The one mapping from error codes to HTTP statuses (SPEC §4).</summary>
/// <remarks>
/// Every constant of <see cref="ErrorCodes"/> has exactly one status here; <c>ErrorTableTests</c>
/// fails when a constant is missing, and the OpenAPI document lists the codes from this table
/// (<see cref="ProblemCodesSchema"/>). An unmapped code therefore cannot reach a caller; should
/// one anyway, it is treated as the bug it is: 500 <c>InternalError</c> and an error log naming
/// the code (<see cref="LicensingExceptionHandler"/>), rather than a guessed 4xx a client might act on.
/// </remarks>
public static class Problems
{
    /// <summary>Error code → HTTP status. Per-device result codes (R-D3) are listed too: they are thrown elsewhere.</summary>
    public static readonly FrozenDictionary<string, int> StatusByCode = new Dictionary<string, int>
    {
        [ErrorCodes.ValidationFailed] = StatusCodes.Status400BadRequest,
        [ErrorCodes.SearchTooShort] = StatusCodes.Status400BadRequest,
        [ErrorCodes.InvalidMac] = StatusCodes.Status400BadRequest,
        [ErrorCodes.InvalidEmail] = StatusCodes.Status400BadRequest,
        [ErrorCodes.UnsafeText] = StatusCodes.Status400BadRequest,
        [ErrorCodes.TooManyDevices] = StatusCodes.Status400BadRequest,
        [ErrorCodes.UnknownLicenseType] = StatusCodes.Status400BadRequest,
        [ErrorCodes.UnknownDeviceType] = StatusCodes.Status400BadRequest,
        [ErrorCodes.InvalidUnits] = StatusCodes.Status400BadRequest,
        [ErrorCodes.InvalidDate] = StatusCodes.Status400BadRequest,
        [ErrorCodes.SsaEndInPast] = StatusCodes.Status400BadRequest,
        [ErrorCodes.ActivationCodeInvalid] = StatusCodes.Status400BadRequest,
        [ErrorCodes.InvalidSignature] = StatusCodes.Status400BadRequest,
        [ErrorCodes.Unauthorized] = StatusCodes.Status401Unauthorized,
        [ErrorCodes.Forbidden] = StatusCodes.Status403Forbidden,
        [ErrorCodes.UserLocked] = StatusCodes.Status403Forbidden,
        [ErrorCodes.AccountNotActivated] = StatusCodes.Status403Forbidden,
        [ErrorCodes.CurrentPasswordWrong] = StatusCodes.Status403Forbidden,
        [ErrorCodes.JoinCredentialsInvalid] = StatusCodes.Status403Forbidden,
        [ErrorCodes.CreditNotAllowed] = StatusCodes.Status403Forbidden,
        [ErrorCodes.NotFound] = StatusCodes.Status404NotFound,
        [ErrorCodes.UserNotFound] = StatusCodes.Status404NotFound,
        [ErrorCodes.MethodNotAllowed] = StatusCodes.Status405MethodNotAllowed,
        [ErrorCodes.RequestTimeout] = StatusCodes.Status408RequestTimeout,
        [ErrorCodes.Conflict] = StatusCodes.Status409Conflict,
        [ErrorCodes.AccountExists] = StatusCodes.Status409Conflict,
        [ErrorCodes.LastAdmin] = StatusCodes.Status409Conflict,
        [ErrorCodes.DuplicateProjectName] = StatusCodes.Status409Conflict,
        [ErrorCodes.ProjectNotEmpty] = StatusCodes.Status409Conflict,
        [ErrorCodes.KeyAlreadyAssigned] = StatusCodes.Status409Conflict,
        [ErrorCodes.HardwareAlreadyRegistered] = StatusCodes.Status409Conflict,
        [ErrorCodes.InsufficientBalance] = StatusCodes.Status409Conflict,
        [ErrorCodes.InsufficientSsc] = StatusCodes.Status409Conflict,
        [ErrorCodes.QuoteNotConfirmable] = StatusCodes.Status409Conflict,
        [ErrorCodes.TargetHasLicenses] = StatusCodes.Status409Conflict,
        [ErrorCodes.FloatingLicenseConflict] = StatusCodes.Status409Conflict,
        [ErrorCodes.WarrantyLimitExceeded] = StatusCodes.Status422UnprocessableEntity,
        [ErrorCodes.DeviceNotInProject] = StatusCodes.Status409Conflict,
        [ErrorCodes.AlreadyInCompany] = StatusCodes.Status409Conflict,
        [ErrorCodes.DeviceInOtherCompany] = StatusCodes.Status409Conflict,
        [ErrorCodes.SeveralCompanies] = StatusCodes.Status409Conflict,
        [ErrorCodes.TestLicenseUsed] = StatusCodes.Status409Conflict,
        [ErrorCodes.AlreadyImported] = StatusCodes.Status409Conflict,
        [ErrorCodes.SeveralUsers] = StatusCodes.Status409Conflict,
        [ErrorCodes.LegacyCredentialsInvalid] = StatusCodes.Status403Forbidden,
        [ErrorCodes.IdempotencyKeyReused] = StatusCodes.Status409Conflict,
        [ErrorCodes.JoinInProgress] = StatusCodes.Status409Conflict,
        [ErrorCodes.ProjectHasExternalRights] = StatusCodes.Status409Conflict,
        [ErrorCodes.InvalidRmaState] = StatusCodes.Status409Conflict,
        [ErrorCodes.DeviceCertificateRequired] = StatusCodes.Status409Conflict,
        [ErrorCodes.InvalidationReplayed] = StatusCodes.Status409Conflict,
        [ErrorCodes.LotNotReturnable] = StatusCodes.Status409Conflict,
        [ErrorCodes.InvalidDeviceName] = StatusCodes.Status400BadRequest,
        [ErrorCodes.PayloadTooLarge] = StatusCodes.Status413PayloadTooLarge,
        [ErrorCodes.UriTooLong] = StatusCodes.Status414UriTooLong,
        [ErrorCodes.UnsupportedMediaType] = StatusCodes.Status415UnsupportedMediaType,
        [ErrorCodes.ConsistencyViolation] = StatusCodes.Status422UnprocessableEntity,
        [ErrorCodes.VersionNotOffered] = StatusCodes.Status422UnprocessableEntity,
        [ErrorCodes.RateLimited] = StatusCodes.Status429TooManyRequests,
        [ErrorCodes.HeadersTooLarge] = StatusCodes.Status431RequestHeaderFieldsTooLarge,
        [ErrorCodes.InternalError] = StatusCodes.Status500InternalServerError,
        [ErrorCodes.StorageUnavailable] = StatusCodes.Status503ServiceUnavailable,
        [ErrorCodes.TransientConflict] = StatusCodes.Status503ServiceUnavailable,
        [ErrorCodes.MailUnavailable] = StatusCodes.Status503ServiceUnavailable,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>A problem extension (whole seconds) that the exception handler also sends as the <c>Retry-After</c> header.</summary>
    public const string RetryAfterExtension = "retryAfter";

    /// <summary>429 <c>RateLimited</c> with a <c>Retry-After</c> of <paramref name="wait"/> (rounded up to whole seconds).</summary>
    public static LicensingException RetryLater(TimeSpan wait, string message) =>
        new(ErrorCodes.RateLimited, message, System.Collections.Immutable.ImmutableDictionary<string, string[]>.Empty
            .Add(RetryAfterExtension, [Math.Max(1, (long)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture)]));

    public static bool TryGetStatus(string code, out int status) => StatusByCode.TryGetValue(code, out status);

    /// <summary>The status of a code; 500 for a code missing from the table (a bug the tests rule out).</summary>
    public static int StatusFor(string code) => TryGetStatus(code, out var status) ? status : StatusCodes.Status500InternalServerError;

    /// <summary>The code for a response that has a status but no code yet (404 from routing, 401 from auth...).</summary>
    public static string CodeFor(int status) => status switch
    {
        StatusCodes.Status400BadRequest => ErrorCodes.ValidationFailed,
        StatusCodes.Status401Unauthorized => ErrorCodes.Unauthorized,
        StatusCodes.Status403Forbidden => ErrorCodes.Forbidden,
        StatusCodes.Status404NotFound => ErrorCodes.NotFound,
        StatusCodes.Status405MethodNotAllowed => ErrorCodes.MethodNotAllowed,
        StatusCodes.Status408RequestTimeout => ErrorCodes.RequestTimeout,
        StatusCodes.Status409Conflict => ErrorCodes.Conflict,
        StatusCodes.Status413PayloadTooLarge => ErrorCodes.PayloadTooLarge,
        StatusCodes.Status414UriTooLong => ErrorCodes.UriTooLong,
        StatusCodes.Status415UnsupportedMediaType => ErrorCodes.UnsupportedMediaType,
        StatusCodes.Status429TooManyRequests => ErrorCodes.RateLimited,
        StatusCodes.Status431RequestHeaderFieldsTooLarge => ErrorCodes.HeadersTooLarge,
        StatusCodes.Status503ServiceUnavailable => ErrorCodes.StorageUnavailable,

        // Kestrel's refusal of an unknown HTTP version is the client's error: 400 ValidationFailed.
        StatusCodes.Status505HttpVersionNotsupported => ErrorCodes.ValidationFailed,
        >= 500 => ErrorCodes.InternalError,
        _ => ErrorCodes.ValidationFailed,
    };

    /// <summary>Writes a problem+json response whose status comes from the table.</summary>
    public static ValueTask WriteAsync(HttpContext context, string code, string detail, IReadOnlyDictionary<string, string[]>? errors = null) =>
        WriteAsync(context, StatusFor(code), code, detail, errors is null ? null : new Dictionary<string, object?> { ["errors"] = errors });

    /// <summary>Writes a problem+json response with a code through the registered problem-details service.</summary>
    public static ValueTask WriteAsync(HttpContext context, int status, string code, string detail, IReadOnlyDictionary<string, string[]>? extensions = null) =>
        WriteAsync(context, status, code, detail, extensions?.ToDictionary(e => e.Key, e => (object?)e.Value));

    private static ValueTask WriteAsync(HttpContext context, int status, string code, string detail, Dictionary<string, object?>? extensions)
    {
        context.Response.StatusCode = status;
        var problem = new Microsoft.AspNetCore.Mvc.ProblemDetails { Status = status, Detail = detail };
        problem.Extensions["code"] = code;
        foreach (var (key, value) in extensions ?? [])
        {
            problem.Extensions[key] = value;
        }

        var service = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        return service.WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem });
    }
}
