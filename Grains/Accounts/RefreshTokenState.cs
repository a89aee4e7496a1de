namespace OrleansLicensing.Grains.State;

[GenerateSerializer]
public sealed class RefreshTokenState
{
    [Id(0)] public string? Email { get; set; }
    [Id(1)] public int Generation { get; set; }
    [Id(2)] public DateTimeOffset Expires { get; set; }
    [Id(3)] public bool Used { get; set; }
}
