namespace OrleansLicensing.Contracts;

[GenerateSerializer, Immutable]
public sealed record ProjectView(
    [property: Id(0)] string ProjectId,
    [property: Id(1)] string CompanyId,
    [property: Id(2)] string Name,
    [property: Id(3)] string? Description,
    [property: Id(4)] DateOnly? SsaEndDate,
    [property: Id(5)] bool SsaExpiryMails = true);
