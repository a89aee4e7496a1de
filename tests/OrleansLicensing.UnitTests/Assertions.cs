using OrleansLicensing.Contracts;

namespace OrleansLicensing.UnitTests;

/// <summary>Shared assertions for domain errors: tests assert on the stable error code, never the message.</summary>
internal static class DomainAssert
{
    public static LicensingException Fails(string expectedCode, Action action)
    {
        var error = Assert.Throws<LicensingException>(action);
        Assert.Equal(expectedCode, error.Code);
        return error;
    }

    public static LicensingException Fails(string expectedCode, Func<object?> function)
    {
        var error = Assert.Throws<LicensingException>(() => function());
        Assert.Equal(expectedCode, error.Code);
        return error;
    }
}
