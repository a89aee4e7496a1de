namespace OrleansLicensing.Contracts;

/// <summary>What a password must look like before anything is hashed (R-U5); checked at the edge and in the user grain.</summary>
public static class PasswordRules
{
    public const int MinLength = InputLimits.Text.PasswordMin;
    public const int MaxLength = InputLimits.Text.PasswordMax;

    public static bool IsAcceptable(string? password) => password is { Length: >= MinLength and <= MaxLength };
}
