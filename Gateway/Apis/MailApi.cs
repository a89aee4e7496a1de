using Microsoft.AspNetCore.Http.HttpResults;
using OrleansLicensing.Contracts;
using OrleansLicensing.Gateway.Infrastructure;

namespace OrleansLicensing.Gateway.Apis;

/// <summary>The outbox: the mails the silo sent without an SMTP server, readable by the vendor (operator).</summary>
public static class MailApi
{
    public static ApiGroups MapMailApi(this ApiGroups groups)
    {
        groups.Vendor.MapGet("/mail/{email}", ListMailAsync).WithTags("Vendor").WithName("ListOutboxMail")
            .WithSummary("The newest mails to an address in the outbox (empty when mail goes to SMTP)")
            .ProducesErrors(ErrorCodes.InvalidEmail);
        return groups;
    }

    public static async Task<Ok<MailResponse[]>> ListMailAsync(string email, IGrainFactory grains)
    {
        var mails = await grains.GetGrain<IMailboxGrain>(Email.Normalize(email)).ListAsync();
        return TypedResults.Ok(mails.Select(m => new MailResponse(m.To, m.Kind, m.Language, m.Subject, m.Body, m.CreatedAt)).ToArray());
    }
}
