using System.ComponentModel.DataAnnotations;

namespace OrleansLicensing.Silo.Mail;

/// <summary>Configuration section <c>Mail</c>: where the silo's mails go (docs/operations.md#mail).</summary>
public sealed class MailSettings
{
    public const string Section = "Mail";

    /// <summary>An SMTP server; without <see cref="SmtpSettings.Host"/> mails go to the outbox.</summary>
    public SmtpSettings Smtp { get; set; } = new();

    /// <summary>
    /// How often a project under SSA wakes to send the expiry mails due (R-S5): the period of its
    /// persisted reminder. At least one second; below a minute the reminder service's minimum
    /// period is lowered to match.
    /// </summary>
    public TimeSpan SsaExpiryCheckPeriod { get; set; } = TimeSpan.FromHours(6);
}

/// <summary>Configuration section <c>Mail:Smtp</c>.</summary>
public sealed class SmtpSettings : IValidatableObject
{
    /// <summary>The server's host name or address; empty = no SMTP, mails go to the outbox.</summary>
    public string? Host { get; set; }

    [Range(1, 65535)]
    public int Port { get; set; } = 587;

    /// <summary>The sender address (required with <see cref="Host"/>).</summary>
    public string? From { get; set; }

    /// <summary>The sender's display name.</summary>
    public string FromName { get; set; } = "License portal";

    /// <summary>Login for servers that require one (with <see cref="Password"/>).</summary>
    public string? UserName { get; set; }

    public string? Password { get; set; }

    /// <summary><c>Auto</c> (STARTTLS when offered, TLS on port 465), <c>StartTls</c>, <c>SslOnConnect</c> or <c>None</c>.</summary>
    public SmtpSecurity Security { get; set; } = SmtpSecurity.Auto;

    [Range(1, 300)]
    public int TimeoutSeconds { get; set; } = 30;

    public bool Enabled => !string.IsNullOrWhiteSpace(Host);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Enabled && !OrleansLicensing.Contracts.Email.TryNormalize(From, out _))
        {
            yield return new ValidationResult("Mail:Smtp:From must be a valid e-mail address when Mail:Smtp:Host is set.", [nameof(From)]);
        }

        if (string.IsNullOrEmpty(UserName) != string.IsNullOrEmpty(Password))
        {
            yield return new ValidationResult("Mail:Smtp:UserName and Mail:Smtp:Password are set together.", [nameof(UserName), nameof(Password)]);
        }
    }
}

public enum SmtpSecurity
{
    Auto,
    StartTls,
    SslOnConnect,
    None,
}
