using System.Collections.Frozen;
using OrleansLicensing.Contracts;

namespace OrleansLicensing.Grains.Mail;

/// <summary>
/// The texts of the account mails in the five portal languages (<see cref="Languages.All"/>).
/// The code stands alone on its own line so a person can copy it and a client can find it.
/// </summary>
public static class MailTexts
{
    private sealed record Text(string Subject, string Greeting, string Intro, string CodeLine, string Outro);

    // {0} in a greeting = the display name.
    private static readonly FrozenDictionary<string, Text> Activation = new Dictionary<string, Text>
    {
        ["en"] = new("Activate your account", "Hello {0},", "thank you for registering. To activate your account, enter this activation code:", "Activation code:", "The code is valid for 7 days. If you did not register, ignore this mail."),
        ["de"] = new("Aktivieren Sie Ihr Konto", "Hallo {0},", "vielen Dank für Ihre Registrierung. Um Ihr Konto zu aktivieren, geben Sie diesen Aktivierungscode ein:", "Aktivierungscode:", "Der Code ist 7 Tage gültig. Wenn Sie sich nicht registriert haben, ignorieren Sie diese E-Mail."),
        ["fr"] = new("Activez votre compte", "Bonjour {0},", "merci pour votre inscription. Pour activer votre compte, saisissez ce code d'activation :", "Code d'activation :", "Le code est valable 7 jours. Si vous ne vous êtes pas inscrit, ignorez ce message."),
        ["it"] = new("Attivi il suo account", "Salve {0},", "grazie per la registrazione. Per attivare l'account inserisca questo codice di attivazione:", "Codice di attivazione:", "Il codice è valido 7 giorni. Se non si è registrato, ignori questa e-mail."),
        ["nl"] = new("Activeer uw account", "Hallo {0},", "bedankt voor uw registratie. Voer deze activeringscode in om uw account te activeren:", "Activeringscode:", "De code is 7 dagen geldig. Heeft u zich niet geregistreerd, negeer dan deze e-mail."),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, Text> EmailChange = new Dictionary<string, Text>
    {
        ["en"] = new("Confirm your new e-mail address", "Hello {0},", "your account asked to use this e-mail address from now on. To confirm it, enter this code:", "Confirmation code:", "The code is valid for 7 days. Until then your account keeps its previous address. If you did not ask for this, ignore this mail."),
        ["de"] = new("Bestätigen Sie Ihre neue E-Mail-Adresse", "Hallo {0},", "Ihr Konto soll ab jetzt diese E-Mail-Adresse verwenden. Zur Bestätigung geben Sie diesen Code ein:", "Bestätigungscode:", "Der Code ist 7 Tage gültig. Bis dahin behält Ihr Konto seine bisherige Adresse. Wenn Sie das nicht veranlasst haben, ignorieren Sie diese E-Mail."),
        ["fr"] = new("Confirmez votre nouvelle adresse e-mail", "Bonjour {0},", "votre compte doit désormais utiliser cette adresse e-mail. Pour la confirmer, saisissez ce code :", "Code de confirmation :", "Le code est valable 7 jours. D'ici là, votre compte garde son adresse actuelle. Si vous n'êtes pas à l'origine de cette demande, ignorez ce message."),
        ["it"] = new("Confermi il suo nuovo indirizzo e-mail", "Salve {0},", "il suo account deve usare d'ora in poi questo indirizzo e-mail. Per confermarlo inserisca questo codice:", "Codice di conferma:", "Il codice è valido 7 giorni. Fino ad allora l'account mantiene l'indirizzo precedente. Se non ha richiesto la modifica, ignori questa e-mail."),
        ["nl"] = new("Bevestig uw nieuwe e-mailadres", "Hallo {0},", "uw account wil voortaan dit e-mailadres gebruiken. Voer deze code in om het te bevestigen:", "Bevestigingscode:", "De code is 7 dagen geldig. Tot dan houdt uw account het vorige adres. Heeft u dit niet aangevraagd, negeer dan deze e-mail."),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private sealed record ExpiryText(string Subject, string Greeting, string Intro, string EndLine, string Outro);

    // {0} = project name, {1} = company name in the intro; the end date stands alone after EndLine.
    private static readonly FrozenDictionary<string, ExpiryText> SsaExpiry = new Dictionary<string, ExpiryText>
    {
        ["en"] = new("The SSA of project {0} ends soon", "Hello {0},", "the software service agreement (SSA) of project \"{0}\" of {1} is about to end. Extend it in the license portal to keep downloading new versions for its licenses.", "SSA end date:", "You get this reminder weekly until the end date. The project's settings can turn these mails off, and your account settings can turn off all mails."),
        ["de"] = new("Die SSA des Projekts {0} endet bald", "Hallo {0},", "der Software-Service-Vertrag (SSA) des Projekts \"{0}\" von {1} läuft bald ab. Verlängern Sie ihn im Lizenzportal, damit Sie für seine Lizenzen weiterhin neue Versionen herunterladen können.", "SSA-Enddatum:", "Sie erhalten diese Erinnerung wöchentlich bis zum Enddatum. In den Projekteinstellungen lassen sich diese E-Mails abschalten, in Ihren Kontoeinstellungen alle E-Mails."),
        ["fr"] = new("Le SSA du projet {0} se termine bientôt", "Bonjour {0},", "le contrat de service logiciel (SSA) du projet « {0} » de {1} arrive à échéance. Prolongez-le dans le portail de licences pour continuer à télécharger les nouvelles versions pour ses licences.", "Date de fin du SSA :", "Vous recevez ce rappel chaque semaine jusqu'à la date de fin. Les paramètres du projet permettent de désactiver ces messages, ceux de votre compte tous les messages."),
        ["it"] = new("Il SSA del progetto {0} termina a breve", "Salve {0},", "il contratto di servizio software (SSA) del progetto \"{0}\" di {1} sta per scadere. Lo prolunghi nel portale licenze per continuare a scaricare le nuove versioni per le sue licenze.", "Data di fine SSA:", "Riceverà questo promemoria ogni settimana fino alla data di fine. Nelle impostazioni del progetto può disattivare queste e-mail, nelle impostazioni dell'account tutte le e-mail."),
        ["nl"] = new("De SSA van project {0} loopt binnenkort af", "Hallo {0},", "de softwareserviceovereenkomst (SSA) van project \"{0}\" van {1} loopt binnenkort af. Verleng deze in het licentieportaal om voor de licenties nieuwe versies te kunnen blijven downloaden.", "Einddatum SSA:", "U ontvangt deze herinnering wekelijks tot de einddatum. In de projectinstellingen kunt u deze e-mails uitschakelen, in uw accountinstellingen alle e-mails."),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The SSA expiry reminder (R-S5) to <paramref name="to"/> in <paramref name="language"/> (English for an unknown one); the end date stands on its own line, ISO 8601.</summary>
    public static OutgoingMail ComposeSsaExpiry(string to, string language, string displayName, string projectName, string companyName, DateOnly endDate, DateTimeOffset now)
    {
        var lang = SsaExpiry.ContainsKey(language) ? language : Languages.Default;
        var text = SsaExpiry[lang];
        var culture = System.Globalization.CultureInfo.InvariantCulture;
        var greeting = string.Format(culture, text.Greeting, string.IsNullOrWhiteSpace(displayName) ? to : displayName);
        var intro = string.Format(culture, text.Intro, projectName, companyName);
        var body = string.Join("\n", greeting, string.Empty, intro, string.Empty, $"{text.EndLine} {endDate.ToString("yyyy-MM-dd", culture)}", string.Empty, text.Outro, string.Empty);
        return new OutgoingMail(to, MailKinds.SsaExpiry, lang, string.Format(culture, text.Subject, projectName), body, now);
    }

    /// <summary>The mail of <paramref name="kind"/> to <paramref name="to"/> in <paramref name="language"/> (English for an unknown one).</summary>
    public static OutgoingMail Compose(string kind, string to, string language, string displayName, string code, DateTimeOffset now)
    {
        var texts = kind switch
        {
            MailKinds.Activation => Activation,
            MailKinds.EmailChange => EmailChange,
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown mail kind."),
        };
        var lang = texts.ContainsKey(language) ? language : Languages.Default;
        var text = texts[lang];
        var greeting = string.Format(System.Globalization.CultureInfo.InvariantCulture, text.Greeting, string.IsNullOrWhiteSpace(displayName) ? to : displayName);
        var body = string.Join("\n", greeting, string.Empty, text.Intro, string.Empty, $"{text.CodeLine} {code}", string.Empty, text.Outro, string.Empty);
        return new OutgoingMail(to, kind, lang, text.Subject, body, now);
    }
}
