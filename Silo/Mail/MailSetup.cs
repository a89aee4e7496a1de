using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using OrleansLicensing.Grains.Grains;
using OrleansLicensing.Grains.Mail;

namespace OrleansLicensing.Silo.Mail;

public static class MailSetup
{
    /// <summary>
    /// The silo's <see cref="IMailSender"/>: SMTP when <c>Mail:Smtp:Host</c> is set, otherwise
    /// the outbox (registered by <see cref="LicensingNode.AddLicensing"/> for every silo).
    /// </summary>
    public static IHostApplicationBuilder AddLicensingMail(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<MailSettings>().BindConfiguration(MailSettings.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<MailSettings>, MailSettingsValidation>();
        var settings = builder.Configuration.GetSection(MailSettings.Section).Get<MailSettings>() ?? new MailSettings();
        if (settings.SsaExpiryCheckPeriod < TimeSpan.FromSeconds(1))
        {
            throw new OptionsValidationException(MailSettings.Section, typeof(MailSettings), ["Mail:SsaExpiryCheckPeriod must be at least 00:00:01."]);
        }

        builder.Services.Configure<SsaExpiryOptions>(options => options.CheckPeriod = settings.SsaExpiryCheckPeriod);
        builder.Services.Configure<ReminderOptions>(options =>
        {
            if (options.MinimumReminderPeriod > settings.SsaExpiryCheckPeriod)
            {
                options.MinimumReminderPeriod = settings.SsaExpiryCheckPeriod;
            }
        });

        if (settings.Smtp.Enabled)
        {
            builder.Services.TryAddSingleton<IMailSender>(sp => new SmtpMailSender(
                sp.GetRequiredService<IOptions<MailSettings>>().Value.Smtp,
                sp.GetRequiredService<ILogger<SmtpMailSender>>()));
        }

        return builder;
    }

    private sealed class MailSettingsValidation : IValidateOptions<MailSettings>
    {
        public ValidateOptionsResult Validate(string? name, MailSettings options)
        {
            var errors = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
            System.ComponentModel.DataAnnotations.Validator.TryValidateObject(options.Smtp, new(options.Smtp), errors, validateAllProperties: true);
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors.Select(e => $"Mail:Smtp: {e.ErrorMessage}"));
        }
    }
}
