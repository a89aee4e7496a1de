using System.Net.Mail;

namespace OrleansLicensing.Contracts;

/// <summary>E-mail addresses compare case-insensitively; the canonical form is lower case (R-F3).</summary>
public static class Email
{
    public const int MaxLength = InputLimits.Text.Email;

    public static bool TryNormalize(string? input, out string canonical)
    {
        canonical = string.Empty;
        if (string.IsNullOrWhiteSpace(input))
        {
            return false;
        }

        var text = input.Trim();
        if (text.Length > MaxLength || text.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format))
        {
            return false;
        }

        var at = text.IndexOf('@');
        if (at <= 0 || at != text.LastIndexOf('@') || at == text.Length - 1)
        {
            return false;
        }

        var local = text[..at];
        var domain = text[(at + 1)..];
        if (local.StartsWith('.') || local.EndsWith('.') || local.Contains("..", StringComparison.Ordinal))
        {
            return false;
        }

        if (!domain.Contains('.') || domain.Split('.').Any(label => label.Length == 0 || label.StartsWith('-') || label.EndsWith('-')))
        {
            return false;
        }

        if (!MailAddress.TryCreate(text, out var parsed) || !string.Equals(parsed.Address, text, StringComparison.Ordinal))
        {
            return false;
        }

        canonical = text.ToLowerInvariant();
        return true;
    }

    /// <summary>Normalises or throws <c>InvalidEmail</c>.</summary>
    public static string Normalize(string? input) =>
        TryNormalize(input, out var canonical)
            ? canonical
            : throw new LicensingException(ErrorCodes.InvalidEmail, "The e-mail address is not valid.");
}
