using OrleansLicensing.Contracts;
using OrleansLicensing.Grains.Mail;

namespace OrleansLicensing.UnitTests;

public sealed class MailTextsTests
{
    public static TheoryData<string, string> KindsAndLanguages()
    {
        var data = new TheoryData<string, string>();
        foreach (var kind in new[] { MailKinds.Activation, MailKinds.EmailChange })
        {
            foreach (var language in Languages.All)
            {
                data.Add(kind, language);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(KindsAndLanguages))]
    public void R_U5_every_account_mail_exists_in_all_five_languages_with_its_code_on_a_line(string kind, string language)
    {
        var code = Codes.NewMailCode();
        var mail = MailTexts.Compose(kind, "ann@example.com", language, "Ann", code, DateTimeOffset.UnixEpoch);
        Assert.Equal(language, mail.Language);
        Assert.Contains("Ann", mail.Body, StringComparison.Ordinal);
        Assert.Single(mail.Body.Split('\n'), line => line.EndsWith(" " + code, StringComparison.Ordinal));
        if (language != Languages.Default)
        {
            Assert.NotEqual(MailTexts.Compose(kind, "ann@example.com", Languages.Default, "Ann", code, DateTimeOffset.UnixEpoch).Subject, mail.Subject);
        }
    }

    public static TheoryData<string> AllLanguages() => [.. Languages.All];

    [Theory]
    [MemberData(nameof(AllLanguages))]
    public void R_S5_the_SSA_expiry_mail_exists_in_all_five_languages_with_project_company_and_end_date(string language)
    {
        var mail = MailTexts.ComposeSsaExpiry("ann@example.com", language, "Ann", "Main site", "Acme AG", new DateOnly(2030, 6, 30), DateTimeOffset.UnixEpoch);
        Assert.Equal(MailKinds.SsaExpiry, mail.Kind);
        Assert.Equal(language, mail.Language);
        Assert.Contains("Main site", mail.Subject, StringComparison.Ordinal);
        Assert.Contains("Ann", mail.Body, StringComparison.Ordinal);
        Assert.Contains("Acme AG", mail.Body, StringComparison.Ordinal);
        Assert.Single(mail.Body.Split('\n'), line => line.EndsWith(" 2030-06-30", StringComparison.Ordinal));
        if (language != Languages.Default)
        {
            var english = MailTexts.ComposeSsaExpiry("ann@example.com", Languages.Default, "Ann", "Main site", "Acme AG", new DateOnly(2030, 6, 30), DateTimeOffset.UnixEpoch);
            Assert.NotEqual(english.Subject, mail.Subject);
            Assert.NotEqual(english.Body, mail.Body);
        }
    }

    [Fact]
    public void R_S5_an_unknown_language_gets_the_English_expiry_mail() =>
        Assert.Equal(Languages.Default, MailTexts.ComposeSsaExpiry("ann@example.com", "xx", "Ann", "P", "C", new DateOnly(2030, 6, 30), DateTimeOffset.UnixEpoch).Language);

    [Fact]
    public void Mail_codes_have_80_random_bits_and_normalise_like_keys()
    {
        var code = Codes.NewMailCode();
        Assert.Matches("^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$", code);
        Assert.Equal(code, Codes.NormalizeMailCode(" " + code.ToLowerInvariant().Replace("-", " ", StringComparison.Ordinal) + " "));
        Assert.Equal("0111-2345-6789-ABCD", Codes.NormalizeMailCode("oIl1-2345-6789-abcd"));
        Assert.Null(Codes.NormalizeMailCode("AAAA-BBBB-CCCC"));
        Assert.Null(Codes.NormalizeMailCode("UUUU-BBBB-CCCC-DDDD"));
    }
}
