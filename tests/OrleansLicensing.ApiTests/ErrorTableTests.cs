using System.Net;
using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansLicensing.Contracts;
using OrleansLicensing.Gateway.Infrastructure;

namespace OrleansLicensing.ApiTests;

/// <summary>Every error code has one HTTP status in one table, and the OpenAPI document lists them all.</summary>
public sealed class ErrorTableTests(SharedApp shared)
{
    public static TheoryData<string> Codes() => [.. typeof(ErrorCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f is { IsLiteral: true } && f.FieldType == typeof(string))
        .Select(f => (string)f.GetRawConstantValue()!)];

    [Theory]
    [MemberData(nameof(Codes))]
    public void Every_error_code_has_an_HTTP_status(string code)
    {
        Assert.True(Problems.TryGetStatus(code, out var status), $"ErrorCodes.{code} has no status in Problems.StatusByCode");
        Assert.InRange(status, 400, 599);
    }

    [Fact]
    public void The_table_holds_nothing_but_error_codes()
    {
        var codes = Codes().Select(row => row.Data).ToHashSet(StringComparer.Ordinal);
        Assert.Empty(Problems.StatusByCode.Keys.Where(code => !codes.Contains(code)));
    }

    [Theory]
    [MemberData(nameof(Codes))]
    public async Task Every_error_code_is_documented_in_the_OpenAPI_problem_schema(string code)
    {
        var response = await shared.App.CreateClient().GetAsync("/openapi/v1.json", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var document = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
        var documented = document["components"]?["schemas"]?["ProblemDetails"]?["properties"]?["code"]?["enum"]?.AsArray().Select(n => n!.GetValue<string>()) ?? [];
        Assert.Contains(code, documented);
    }

    /// <summary>The codes the edge derives from a bare status (routing, auth, Kestrel) come back with that status.</summary>
    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(403)]
    [InlineData(404)]
    [InlineData(405)]
    [InlineData(408)]
    [InlineData(409)]
    [InlineData(413)]
    [InlineData(414)]
    [InlineData(415)]
    [InlineData(429)]
    [InlineData(431)]
    [InlineData(500)]
    [InlineData(503)]
    public void A_status_without_a_code_gets_a_code_of_that_status(int status) =>
        Assert.Equal(status, Problems.StatusFor(Problems.CodeFor(status)));

    [Fact]
    public async Task An_unmapped_code_is_a_500_InternalError_not_a_guessed_4xx()
    {
        var services = new ServiceCollection().AddLogging().AddProblemDetails().BuildServiceProvider();
        var context = new DefaultHttpContext { RequestServices = services };
        context.Response.Body = new MemoryStream();

        var handled = await new LicensingExceptionHandler(NullLogger<LicensingExceptionHandler>.Instance)
            .TryHandleAsync(context, new LicensingException("NoSuchCode", "A code nobody mapped."), TestContext.Current.CancellationToken);

        Assert.True(handled);
        Assert.Equal(StatusCodes.Status500InternalServerError, context.Response.StatusCode);
        context.Response.Body.Position = 0;
        var body = JsonNode.Parse(context.Response.Body)!;
        Assert.Equal(ErrorCodes.InternalError, body["code"]?.GetValue<string>());
        Assert.DoesNotContain("nobody mapped", body.ToJsonString(), StringComparison.Ordinal);
    }
}
