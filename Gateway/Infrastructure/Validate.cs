using OrleansLicensing.Contracts;

namespace OrleansLicensing.Gateway.Infrastructure;

/// <summary>Checks that need no state, done at the edge before any grain is called.</summary>
public static class Validate
{
    public static string Text(string? value, string field, int maxLength)
    {
        var trimmed = value?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            throw LicensingException.Validation($"'{field}' is required.");
        }

        if (trimmed.Length > maxLength || trimmed.Any(char.IsControl) || InputLimits.HasLoneSurrogate(trimmed))
        {
            throw LicensingException.Validation($"'{field}' must be at most {maxLength} printable characters.");
        }

        if (trimmed.FirstOrDefault(InputLimits.IsBidiControl) is var bidi and not '\0')
        {
            throw new LicensingException(
                ErrorCodes.UnsafeText,
                $"'{field}' contains the bidirectional control character U+{(int)bidi:X4}, which makes text display as something else; remove it.");
        }

        return trimmed;
    }

    public static string? OptionalText(string? value, string field, int maxLength) =>
        string.IsNullOrWhiteSpace(value) ? null : Text(value, field, maxLength);

    /// <summary>Company and project ids are 16 lower-case base-32 characters; anything else cannot exist.</summary>
    public static string Id(string id, string what)
    {
        if (id.Length != 16 || !id.All(c => char.IsAsciiDigit(c) || char.IsAsciiLetterLower(c)))
        {
            throw LicensingException.NotFound(what);
        }

        return id;
    }

    public static string Password(string? password)
    {
        if (password is null || password.Length < InputLimits.Text.PasswordMin || password.Length > InputLimits.Text.PasswordMax)
        {
            throw LicensingException.Validation($"'password' must have {InputLimits.Text.PasswordMin} to {InputLimits.Text.PasswordMax} characters.");
        }

        return password;
    }

    /// <summary>One of the portal's languages (en, de, fr, it, nl); English when not given.</summary>
    public static string Language(string? language) =>
        string.IsNullOrWhiteSpace(language) ? Languages.Default : OptionalLanguage(language)!;

    public static string? OptionalLanguage(string? language) =>
        language is null ? null
        : Languages.Normalize(language) ?? throw LicensingException.Validation($"'language' must be one of {string.Join(", ", Languages.All)}.");
}
