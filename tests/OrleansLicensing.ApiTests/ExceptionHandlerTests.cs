using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansLicensing.Gateway.Infrastructure;

namespace OrleansLicensing.ApiTests;

/// <summary>How the gateway answers failures the cluster raises: never a 500 for the runtime's own conditions.</summary>
public sealed class ExceptionHandlerTests(SharedApp shared)
{
    [Theory]
    [InlineData("runtime")]
    [InlineData("unavailable")]
    [InlineData("timeout")]
    [InlineData("placement expired")]
    public async Task A_failure_of_the_Orleans_runtime_is_a_503_the_client_retries_not_a_500(string kind)
    {
        Exception failure = kind switch
        {
            "runtime" => new OrleansException("The silo is shutting down."),
            "unavailable" => new SiloUnavailableException("The silo died."),
            "placement expired" => new OperationCanceledException("Message expired before placement could complete for grain ledger/23."),
            _ => new TimeoutException("Response did not arrive on time."),
        };
        var context = new DefaultHttpContext { RequestServices = shared.App.Services };
        context.Request.Method = "POST";
        context.Request.Path = "/api/v1/companies/x/devices/y/licenses";
        context.Response.Body = new MemoryStream();

        Assert.True(await new LicensingExceptionHandler(NullLogger<LicensingExceptionHandler>.Instance).TryHandleAsync(context, failure, TestContext.Current.CancellationToken));

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, context.Response.StatusCode);
        Assert.Equal("1", context.Response.Headers.RetryAfter.ToString());
        context.Response.Body.Position = 0;
        using var body = await JsonDocument.ParseAsync(context.Response.Body, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal("StorageUnavailable", body.RootElement.GetProperty("code").GetString());
    }

    [Fact]
    public async Task An_unknown_failure_stays_a_500_InternalError()
    {
        var context = new DefaultHttpContext { RequestServices = shared.App.Services };
        context.Response.Body = new MemoryStream();

        Assert.True(await new LicensingExceptionHandler(NullLogger<LicensingExceptionHandler>.Instance).TryHandleAsync(context, new NotSupportedException("a bug"), TestContext.Current.CancellationToken));

        Assert.Equal(StatusCodes.Status500InternalServerError, context.Response.StatusCode);
    }
}
