using System.Collections.Immutable;

namespace OrleansLicensing.Contracts;

/// <summary>
/// A failure the caller can act on, identified by a stable <see cref="Code"/> from
/// <see cref="ErrorCodes"/>. Grains throw it (rather than returning a result) so that a
/// transaction it is raised in aborts with no partial effect; the gateway maps the code to
/// an HTTP status and a problem+json body in one place.
/// </summary>
[GenerateSerializer]
public sealed class LicensingException : Exception
{
    public LicensingException(string code, string message, ImmutableDictionary<string, string[]>? extensions = null)
        : base(message)
    {
        Code = code;
        Extensions = extensions ?? ImmutableDictionary<string, string[]>.Empty;
    }

    /// <summary>The stable, machine-readable error code.</summary>
    [Id(0)]
    public string Code { get; }

    /// <summary>Additional machine-readable facts (for example the projects that could cover a shortfall).</summary>
    [Id(1)]
    public ImmutableDictionary<string, string[]> Extensions { get; }

    public static LicensingException NotFound(string what) => new(ErrorCodes.NotFound, $"{what} was not found.");

    public static LicensingException Validation(string message) => new(ErrorCodes.ValidationFailed, message);

    public static LicensingException Forbidden(string message) => new(ErrorCodes.Forbidden, message);
}
